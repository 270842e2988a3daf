/**
 * Nigerian business-day calendar for pay-date shifting: weekends and federal public holidays (date-holidays `NG`,
 * type `public` only — observances such as Easter Sunday are already weekends) roll back to the previous business day.
 */
import Holidays from 'date-holidays';

import { addDays, isoWeekday } from '../../ingestion/normalise/lagos-date.js';

const cache = new Map<number, Set<string>>();

export function nigerianPublicHolidays(year: number): Set<string> {
  let set = cache.get(year);
  if (!set) {
    const holidays = new Holidays('NG');
    set = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    cache.set(year, set);
  }
  return set;
}

export function isBusinessDay(date: string): boolean {
  return isoWeekday(date) <= 5 && !nigerianPublicHolidays(Number(date.slice(0, 4))).has(date);
}

export function previousBusinessDay(date: string): string {
  let d = date;
  while (!isBusinessDay(d)) d = addDays(d, -1);
  return d;
}
