/**
 * Masks the personal numbers a narration can carry — NUBAN account numbers (10 digits), BVNs and phone numbers (11, or
 * 13 with 234), card numbers (up to 16) — to their last four digits, wherever they appear in free text:
 * "TRF TO 0123456789 ADA" → "TRF TO ******6789 ADA", "Airtime//08031234567//MTN" → "Airtime//*******4567//MTN", a
 * spaced "0803 123 4567" too. Shorter runs (amounts, dates, terminal ids) and longer ones (30-digit NIP session ids,
 * which name no person) are left as they are. Used wherever the API returns narrations (docs/security.md).
 */
export function maskNumbersInText(text: string): string {
  return text
    .replace(/(?<![\d*])\+?\d{10,16}(?!\d)/g, (m) => maskTail(m))
    .replace(/(?<![\d*])0[789][01]\d[ -]\d{3}[ -]\d{4}(?!\d)/g, (m) => maskTail(m));
}

function maskTail(run: string): string {
  let keep = 4;
  let out = '';
  for (let i = run.length - 1; i >= 0; i--) {
    const c = run[i];
    if (c >= '0' && c <= '9') {
      out = (keep > 0 ? c : '*') + out;
      keep--;
    } else out = c + out;
  }
  return out;
}
