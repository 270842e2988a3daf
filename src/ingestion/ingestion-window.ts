import { addDays } from './normalise/index.js';

/** `YYYY-MM-DD` minus whole calendar months, the day clamped to the target month's length. */
export function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export interface IngestionWindow {
  /** First business date whose rows are reconciled (modified / removed detection). */
  windowStart: string;
  windowEnd: string;
  /** Date sent to the provider as `start`: one day earlier, because providers filter on UTC dates and Lagos is UTC+1. */
  fetchStart: string;
  firstIngestion: boolean;
}

/**
 * [last ingested transaction date − overlap, today], never older than the history depth; the first ingestion takes
 * the whole history depth.
 */
export function ingestionWindow(p: {
  today: string;
  lastTransactionDate: string | null;
  overlapDays: number;
  historyMonths: number;
}): IngestionWindow {
  const historyStart = monthsBefore(p.today, p.historyMonths);
  // Keyed on the last stored transaction, not the last run: a run that stored nothing (PARTIAL, empty payload) must
  // not shrink the next window.
  const anchor = p.lastTransactionDate;
  const firstIngestion = anchor === null;
  let windowStart = anchor === null ? historyStart : addDays(anchor < p.today ? anchor : p.today, -p.overlapDays);
  if (windowStart < historyStart) windowStart = historyStart;
  return { windowStart, windowEnd: p.today, fetchStart: addDays(windowStart, -1), firstIngestion };
}
