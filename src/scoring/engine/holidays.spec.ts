import { describe, expect, it } from '@jest/globals';
import { toDay, fromDay } from './dates.js';
import { isBusinessDay, isPublicHoliday, nominalCandidates, previousBusinessDay } from './holidays.js';

describe(isBusinessDay.name, () => {
  it('should treat Nigerian public holidays and weekends as non-business days', () => {
    expect(isPublicHoliday(toDay('2026-10-01'))).toBe(true); // Independence Day (Thursday)
    expect(isBusinessDay(toDay('2026-10-01'))).toBe(false);
    expect(isBusinessDay(toDay('2026-10-03'))).toBe(false); // Saturday
    expect(isBusinessDay(toDay('2026-10-02'))).toBe(true);
  });

  it('should know the moving Christian and Islamic holidays of 2026', () => {
    expect(isPublicHoliday(toDay('2026-04-03'))).toBe(true); // Good Friday
    expect(isPublicHoliday(toDay('2026-04-06'))).toBe(true); // Easter Monday
    expect(isPublicHoliday(toDay('2026-03-20'))).toBe(true); // Eid el Fitr
  });
});

describe(previousBusinessDay.name, () => {
  it('should shift a pay day over a holiday weekend to the last business day before it', () => {
    // Easter 2026: Good Friday 3 April … Easter Monday 6 April → Thursday 2 April.
    expect(fromDay(previousBusinessDay(toDay('2026-04-06')))).toBe('2026-04-02');
    expect(fromDay(previousBusinessDay(toDay('2026-10-25')))).toBe('2026-10-23');
  });
});

describe(nominalCandidates.name, () => {
  it('should list the non-business days a payment may stand for', () => {
    expect(nominalCandidates(toDay('2026-04-02')).map(fromDay)).toEqual([
      '2026-04-02',
      '2026-04-03',
      '2026-04-04',
      '2026-04-05',
      '2026-04-06',
    ]);
    expect(nominalCandidates(toDay('2026-10-07')).map(fromDay)).toEqual(['2026-10-07']);
  });
});
