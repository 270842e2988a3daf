/**
 * Lagos business-date arithmetic. Africa/Lagos is UTC+01:00 all year (no DST since 1919), so a fixed offset is exact
 * and avoids depending on the host's tz database. Dates are `YYYY-MM-DD` strings; day arithmetic is done on UTC
 * midnights so it never crosses a DST edge.
 */
const LAGOS_OFFSET_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const isDigit = (iso: string, i: number): boolean => {
  const c = iso.charCodeAt(i);
  return c >= 48 && c <= 57;
};
const twoDigits = (iso: string, i: number): number => (iso.charCodeAt(i) - 48) * 10 + (iso.charCodeAt(i + 1) - 48);

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` (what `toISOString` and the Mono parser produce) with every field in range, a day of
 * month ≤ 28 (valid in every month) and an hour before 23:00 UTC: its Lagos date (UTC+1) is its own date part, no
 * `Date` needed. Anything else takes the general path.
 */
function isEarlyCanonicalInstant(iso: string): boolean {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */) return false;
  for (let i = 0; i < 23; i++) {
    const sep = i === 4 || i === 7 ? 45 /* - */ : i === 13 || i === 16 ? 58 /* : */ : i === 19 ? 46 /* . */ : i === 10 ? 84 : -1;
    if (sep >= 0 ? iso.charCodeAt(i) !== sep : !isDigit(iso, i)) return false;
  }
  const month = twoDigits(iso, 5);
  const day = twoDigits(iso, 8);
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= 28 && twoDigits(iso, 11) <= 22 && twoDigits(iso, 14) <= 59 && twoDigits(iso, 17) <= 59
  );
}

/** Lagos calendar date of an ISO instant; a bare `YYYY-MM-DD` is already a business date and is returned as is. */
export function lagosDate(iso: string): string {
  if (isEarlyCanonicalInstant(iso)) return iso.slice(0, 10);
  if (DATE_ONLY.test(iso)) return iso;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO timestamp: ${iso}`);
  return new Date(ms + LAGOS_OFFSET_MS).toISOString().slice(0, 10);
}

/** Instant of a Lagos wall-clock time, as ISO UTC. */
export function lagosInstant(date: string, secondsOfDay: number): string {
  return new Date(dayNumber(date) * DAY_MS + secondsOfDay * 1000 - LAGOS_OFFSET_MS).toISOString();
}

/** Days since 1970-01-01 for a `YYYY-MM-DD`. */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

export function diffDays(later: string, earlier: string): number {
  return dayNumber(later) - dayNumber(earlier);
}

/** `YYYY-MM` of the month after the given `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** ISO weekday, Monday = 1 … Sunday = 7. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function hoursBetween(laterIso: string, earlierIso: string): number {
  return (Date.parse(laterIso) - Date.parse(earlierIso)) / (60 * 60 * 1000);
}
