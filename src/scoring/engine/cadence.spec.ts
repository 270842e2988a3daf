import { describe, expect, it } from '@jest/globals';
import { detectCadence, predictNextDay } from './cadence.js';
import { fromDay, toDay } from './dates.js';
import { everyNDays, monthlyDates } from './testing/builders.js';

const days = (dates: string[]): number[] => dates.map(toDay);

describe(detectCadence.name, () => {
  it('should classify a 25th-of-month salary shifted for weekends and holidays as monthly with a steady pay day', () => {
    const c = detectCadence(days(monthlyDates('2026-01', '2026-10', 25)));
    expect(c.frequency).toBe('monthly');
    expect(c.regularity).toBe(1);
    expect(c.payDayStdevDays).toBe(0);
  });

  it('should undo the Easter shift of a pay day on the 6th (paid Thursday 2 April)', () => {
    const dates = monthlyDates('2026-01', '2026-06', 6);
    expect(dates).toContain('2026-04-02');
    const c = detectCadence(days(dates));
    expect(c.nominalDays.map(fromDay)).toContain('2026-04-06');
    expect(c.payDayStdevDays).toBe(0);
  });

  it('should classify weekly, biweekly, quarterly and irregular gaps', () => {
    expect(detectCadence(days(everyNDays('2026-06-05', '2026-10-30', 7))).frequency).toBe('weekly');
    expect(detectCadence(days(everyNDays('2026-06-05', '2026-10-30', 14))).frequency).toBe('biweekly');
    expect(detectCadence(days(['2026-01-15', '2026-04-15', '2026-07-15', '2026-10-15'])).frequency).toBe('quarterly');
    expect(detectCadence(days(['2026-06-01', '2026-06-04', '2026-06-25', '2026-07-30', '2026-08-03'])).frequency).toBe('irregular');
  });

  it('should recognise semi-monthly pay on the 15th and the last day', () => {
    const dates = [...monthlyDates('2026-06', '2026-10', 15, false), ...monthlyDates('2026-06', '2026-10', 31, false)].sort();
    expect(detectCadence(days(dates)).frequency).toBe('semi_monthly');
  });
});

describe(predictNextDay.name, () => {
  it('should predict the next monthly pay day snapped back to a business day', () => {
    // Nominal 25th; 25 Oct 2026 is a Sunday, 25 Nov a Wednesday, 25 Dec Christmas.
    const c = detectCadence(days(monthlyDates('2026-05', '2026-10', 25)));
    expect(fromDay(predictNextDay(c)!)).toBe('2026-11-25');
    const d = detectCadence(days(monthlyDates('2026-06', '2026-11', 25)));
    expect(fromDay(predictNextDay(d)!)).toBe('2026-12-24');
  });

  it('should not predict for irregular streams', () => {
    expect(predictNextDay(detectCadence(days(['2026-06-01', '2026-06-04', '2026-06-25', '2026-08-30'])))).toBeNull();
  });
});
