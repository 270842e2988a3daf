/** `₦1,234,567.89` from integer kobo, by integer/string arithmetic only. Whole naira drop the `.00`. */
export function formatNaira(kobo: number): string {
  const neg = kobo < 0;
  const abs = Math.abs(kobo);
  const naira = Math.floor(abs / 100);
  const k = abs % 100;
  const grouped = String(naira).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '−' : ''}₦${grouped}${k === 0 ? '' : `.${k < 10 ? '0' : ''}${k}`}`;
}
