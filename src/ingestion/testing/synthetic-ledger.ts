import type { ParsedMonoTransaction } from '../normalise/index.js';

/** mulberry32: tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEBITS = [
  (r: number) => `POS PURCHASE SHOPRITE LEKKI ${r}`,
  (r: number) => `Airtime//0803${String(r).padStart(7, '0').slice(-7)}//MTN`,
  (r: number) => `NIP/GTB/ADEBAYO OKONKWO/rent ${r}`,
  (r: number) => `ATM WDL GTB ALLEN AVENUE ${r}`,
  (r: number) => `TRF TO CHIOMA NWOSU ${r}0000`,
  (r: number) => `IKEDC PREPAID TOKEN ${r}`,
];
const CREDITS = [
  (r: number) => `NIP/ZENITH/ACME LOGISTICS LTD/SALARY ${r}`,
  (r: number) => `TRF FRM EMEKA OBI ${r}0000`,
  (r: number) => `NIP/UBA/BOLA TINUBU STORES/payment ${r}`,
];

export interface SyntheticLedgerOptions {
  seed: number;
  count: number;
  /** ISO instants; rows are spread evenly between them (oldest first). */
  from: string;
  to: string;
  idPrefix: string;
  openingBalanceMinor?: number;
}

/**
 * Deterministic synthetic ledger with Nigerian-looking narrations and a consistent running balance (oldest first).
 * Same options → same rows, so a test can regenerate the source after a crash and compare exactly.
 */
export function syntheticLedger(opts: SyntheticLedgerOptions): ParsedMonoTransaction[] {
  const rand = prng(opts.seed);
  const fromMs = Date.parse(opts.from);
  const stepMs = Math.max(1000, Math.floor((Date.parse(opts.to) - fromMs) / Math.max(1, opts.count)));
  let balance = opts.openingBalanceMinor ?? 50_000_000;
  const rows: ParsedMonoTransaction[] = new Array<ParsedMonoTransaction>(opts.count);
  for (let i = 0; i < opts.count; i++) {
    const credit = rand() < 0.3;
    const amountMinor = 100 * (1 + Math.floor(rand() * (credit ? 200_000 : 20_000)));
    const ref = Math.floor(rand() * 1e6);
    const direction = credit || balance < amountMinor ? 'credit' : 'debit';
    balance += direction === 'credit' ? amountMinor : -amountMinor;
    const templates = direction === 'credit' ? CREDITS : DEBITS;
    rows[i] = {
      providerId: `${opts.idPrefix}-${i}`,
      postedAt: new Date(fromMs + i * stepMs).toISOString(),
      direction,
      amountMinor,
      balanceMinor: balance,
      narration: templates[Math.floor(rand() * templates.length)](ref),
      providerCategory: null,
      currency: 'NGN',
    };
  }
  return rows;
}
