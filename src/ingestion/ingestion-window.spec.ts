import { describe, expect, it } from '@jest/globals';
import { ingestionWindow, monthsBefore } from './ingestion-window.js';

describe('ingestionWindow', () => {
  it('should take the whole history depth on the first ingestion', () => {
    expect(ingestionWindow({ today: '2025-11-20', lastTransactionDate: null, overlapDays: 7, historyMonths: 12 })).toEqual({
      windowStart: '2024-11-20',
      windowEnd: '2025-11-20',
      fetchStart: '2024-11-19',
      firstIngestion: true,
    });
  });

  it('should start the overlap before the last stored transaction date', () => {
    expect(ingestionWindow({ today: '2025-11-20', lastTransactionDate: '2025-11-18', overlapDays: 7, historyMonths: 12 })).toMatchObject({
      windowStart: '2025-11-11',
      fetchStart: '2025-11-10',
      firstIngestion: false,
    });
  });

  it('should never reach further back than the history depth, nor start after today', () => {
    expect(ingestionWindow({ today: '2025-11-20', lastTransactionDate: '2020-01-01', overlapDays: 7, historyMonths: 12 }).windowStart).toBe(
      '2024-11-20',
    );
    expect(ingestionWindow({ today: '2025-11-20', lastTransactionDate: '2025-12-31', overlapDays: 7, historyMonths: 12 }).windowStart).toBe(
      '2025-11-13',
    );
  });
});

describe('monthsBefore', () => {
  it('should clamp the day to the target month', () => {
    expect(monthsBefore('2025-03-31', 1)).toBe('2025-02-28');
    expect(monthsBefore('2024-03-31', 1)).toBe('2024-02-29');
    expect(monthsBefore('2025-01-15', 13)).toBe('2023-12-15');
  });
});
