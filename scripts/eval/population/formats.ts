/**
 * Narration formats of Nigerian banks and wallets for the evaluation population. Written for this evaluation,
 * independently of src/sandbox: each bank's shapes follow what public statement samples and statement parsers show
 * (looked up with the search tool), with invented names, references and merchants only. Where a shape was seen:
 *
 * - GTBank: `NIP TRANSFER TO <BANK> - <NAME>` outward, `TRANSFER FROM <NAME>-<BANK>-…` inward, `POS/WEB PURCHASE`,
 *   `COMMISSION` + `VALUE ADDED TAX` fee pairs, `EMTL CHARGE`, `SMS ALERT` (GTBank PDF statement
 *   parsers in public repositories list these remark starters).
 * - Access: `NIP TFR FROM <NAME>`, `MOBILE TRF TO <BANK>/ <ACCOUNT>/ <NAME>` (Access statement parser tests).
 * - Zenith: `NIP/<BANK>/<NAME>/<MEMO>`, `NIP CR/MOB/<NAME>/<BANK>/…`, `VC POS Loc-<TID>--<MERCHANT> … NG`,
 *   `MC Loc POS Prch-…`, `Airtime//<PHONE>//<NETWORK>` (a Zenith export through Mono in a public PFM app's sample data;
 *   Zenith statement parser tests).
 * - UBA: `MOB/UTO/<NAME>/<MEMO>/<REF>` inward, `TNF-<NAME>/<MEMO>` outward (UBA statement parser tests).
 * - First Bank: `TRF/<MEMO>/FRM <SENDER> TO <BENEFICIARY>- <CODE>` (Zeeh statement API sample), `… CARD MAINT FEE`,
 *   `WHT ON CREDIT INTEREST`.
 * - Wema/ALAT: `NIP:<NAME>-<MEMO>`, `NIP Transfer to <NAME>` (Wema statement parser tests).
 * - Kuda: `Transfer from <Name>` / `Transfer to <Name>`, counterparty written `<Name>/<ACCOUNT>/<Bank>`, card,
 *   airtime and bill lines in plain words (Kuda statement parser tests).
 * - OPay: `Transfer from <Name> | <Bank> | <ACCOUNT> | <memo>` (OPay statement parser tests).
 * - PalmPay: `Received from <Name>` / `Send to <Name>` (PalmPay statement parser tests).
 * - Moniepoint: `TRANSFER FROM <NAME>` / `Transfer to <NAME>`, POS settlement lines (Moniepoint business accounts).
 *
 * Everything here is pure string building from a caller-supplied random source.
 */

export interface Pick {
  /** A uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  digits(n: number): string;
}

export interface Party {
  /** The name as this party is written (already in the case and order the sending bank uses). */
  name: string;
  bank: BankFormat;
  accountNumber: string;
  /** Which of a bank's shapes this party's transfers take (a payer uses one channel, so one shape). */
  variant: number;
}

/** The party's shape among a bank's alternatives. */
const shape = <T>(p: Party, options: readonly T[]): T => options[p.variant % options.length];

export interface Charge {
  narration: string;
  amountMinor: number;
}

export interface BankFormat {
  key: string;
  name: string;
  code: string;
  /** Wallets/fintechs charge no SMS or maintenance fees and pay interest on balances. */
  wallet: boolean;
  accountType: string;
  /** Short bank token used inside other banks' narrations (`KUDA`, `OPAY`, `GTB`…). */
  token: string;
  /** How the account's holder name is stored (e.g. surname first, upper case). */
  holderName(first: string, middle: string | null, surname: string): string;
  transferIn(r: Pick, from: Party, memo: string, holder: string): string;
  transferOut(r: Pick, to: Party, memo: string, holder: string): string;
  pos(r: Pick, merchant: string, city: string): string;
  web(r: Pick, merchant: string): string;
  airtime(r: Pick, network: string, phone: string): string;
  bill(r: Pick, biller: string): string;
  atm(r: Pick, place: string): string;
  emtl(r: Pick): string;
  /** Fee rows for an outward transfer of `amountMinor` (empty for banks that do not charge). */
  transferFee(r: Pick, amountMinor: number): Charge[];
  /** Month-end charge rows given the month label and the month's transaction count / debit turnover. */
  monthEnd(r: Pick, mon: string, yyyy: string, rows: number, debitTurnoverMinor: number): Charge[];
  interest(r: Pick, mon: string): string;
  overdraftInterest(r: Pick, mon: string, yyyy: string): string;
  posSettlement(r: Pick, tid: string, ddmm: string): string;
}

const up = (s: string): string => s.toUpperCase();
const title = (s: string): string =>
  s
    .toLowerCase()
    .split(/(\s+|-)/)
    .map((w) => (w.length > 0 ? w[0].toUpperCase() + w.slice(1) : w))
    .join('');
const ref = (r: Pick, n = 12): string => r.digits(n);
const vat = (fee: number): number => Math.floor((fee * 75) / 1000);

/** Standard NIP fee bands (₦10 / ₦25 / ₦50 before VAT) in kobo. */
function nipFee(amountMinor: number): number {
  if (amountMinor <= 500_000) return 1_000;
  if (amountMinor <= 5_000_000) return 2_500;
  return 5_000;
}

function bankMonthEnd(
  sms: (mon: string, yyyy: string) => string,
  maint: (mon: string, yyyy: string) => string,
  maintVat: (mon: string, yyyy: string) => string,
  perSmsMinor: number,
): BankFormat['monthEnd'] {
  return (_r, mon, yyyy, rows, turnover) => {
    const out: Charge[] = [];
    if (rows > 0) out.push({ narration: sms(mon, yyyy), amountMinor: rows * perSmsMinor });
    // Account maintenance: ₦1 per ₦1,000 of customer-induced debits, plus VAT.
    const fee = Math.floor(turnover / 1000);
    if (fee >= 100) {
      out.push({ narration: maint(mon, yyyy), amountMinor: fee });
      out.push({ narration: maintVat(mon, yyyy), amountMinor: vat(fee) });
    }
    return out;
  };
}

const upperSurnameFirst = (f: string, m: string | null, s: string): string => up([s, f, m].filter(Boolean).join(' '));
const upperFirstFirst = (f: string, m: string | null, s: string): string => up([f, m, s].filter(Boolean).join(' '));
const titleFirstFirst = (f: string, m: string | null, s: string): string => title([f, m, s].filter(Boolean).join(' '));

export const GTBANK: BankFormat = {
  key: 'gtbank',
  name: 'Guaranty Trust Bank',
  code: '058',
  wallet: false,
  accountType: 'SAVINGS',
  token: 'GTB',
  holderName: upperSurnameFirst,
  transferIn: (r, from, memo) =>
    shape(from, [
      () => `TRANSFER FROM ${up(from.name)}-${from.bank.token}-${memo ? up(memo) : ref(r, 10)}`,
      () => `NIBSS INSTANT PAYMENT INWARD ${ref(r, 16)} ${from.bank.token} ${up(from.name)} ${up(memo)}`.trim(),
    ])(),
  transferOut: (r, to, memo) =>
    shape(to, [
      () => `NIP TRANSFER TO ${to.bank.token} - ${up(to.name)} ${up(memo)}`.trim(),
      () => `${ref(r, 10)} NIP TRANSFER TO ${to.bank.token} - ${up(to.name)}`,
    ])(),
  pos: (r, m, city) => r.pick([`POS/WEB PURCHASE ${up(m)} ${up(city)} NG`, `POSWEB PURCHASE -${r.digits(8)}-${up(m)} ${up(city)}`]),
  web: (_r, m) => `POS/WEB PURCHASE ${up(m)} WEB NG`,
  airtime: (_r, net, phone) => `Airtime Purchase ${up(net)}-${phone}`,
  bill: (r, b) => `GTWORLD BILL PAYMENT ${up(b)} ${ref(r, 11)}`,
  atm: (_r, place) => `CASH WITHDRAWAL FROM ATM ${up(place)}`,
  emtl: () => 'EMTL CHARGE',
  transferFee: (_r, amount) => {
    const fee = nipFee(amount);
    return [
      { narration: 'COMMISSION', amountMinor: fee },
      { narration: 'VALUE ADDED TAX', amountMinor: vat(fee) },
    ];
  },
  monthEnd: bankMonthEnd(
    (mon, y) => `SMS ALERT CHARGES FOR ${mon} ${y}`,
    (mon) => `ACCOUNT MAINTENANCE CHARGE ${mon}`,
    (mon) => `VALUE ADDED TAX ON MAINTENANCE ${mon}`,
    400,
  ),
  interest: (_r, mon) => `CREDIT INTEREST ${mon}`,
  overdraftInterest: (_r, mon, y) => `OVERDRAFT INTEREST ${mon} ${y}`,
  posSettlement: (_r, tid, ddmm) => `POS SETTLEMENT ${tid} ${ddmm}`,
};

export const ACCESS: BankFormat = {
  key: 'access',
  name: 'Access Bank',
  code: '044',
  wallet: false,
  accountType: 'SAVINGS_ACCOUNT',
  token: 'ACCESS',
  holderName: upperFirstFirst,
  transferIn: (r, from, memo) =>
    shape(from, [() => `NIP TFR FROM ${up(from.name)} /${up(memo)}`, () => `TRF FRM ${up(from.name)} /${from.bank.token}/${ref(r, 8)}`])(),
  transferOut: (r, to, memo) =>
    shape(to, [
      () => `MOBILE TRF TO ${to.bank.token}/ ${to.accountNumber}/ ${up(to.name)}`,
      () => `NIP TFR TO ${up(to.name)} /${up(memo) || 'TRANSFER'}`,
    ])(),
  pos: (_r, m, city) => `POS PURCHASE @ ${up(m)} ${up(city)}`,
  web: (_r, m) => `WEB PURCHASE ${up(m)}`,
  airtime: (_r, net, phone) => `AIRTIME RECHARGE ${up(net)} ${phone}`,
  bill: (r, b) => `BILLS PAYMENT ${up(b)} ${ref(r, 10)}`,
  atm: (_r, place) => `ATM WITHDRAWAL ${up(place)}`,
  emtl: (r) => `EMT LEVY ${ref(r, 10)}`,
  transferFee: (_r, amount) => {
    const fee = nipFee(amount);
    return [{ narration: 'NIP TRANSFER CHARGE', amountMinor: fee + vat(fee) }];
  },
  monthEnd: bankMonthEnd(
    (mon, y) => `SMS ALERT FEE ${mon}-${y.slice(2)}`,
    (mon) => `CAM FEE ${mon}`,
    (mon) => `VAT ON CAM FEE ${mon}`,
    400,
  ),
  interest: (_r, mon) => `INTEREST PAID ${mon}`,
  overdraftInterest: (_r, mon, y) => `INT ON OD ${mon} ${y.slice(2)}`,
  posSettlement: (_r, tid, ddmm) => `POS TRF SETTLEMENT ${tid} ${ddmm}`,
};

export const ZENITH: BankFormat = {
  key: 'zenith',
  name: 'Zenith Bank',
  code: '057',
  wallet: false,
  accountType: 'SAVINGS_ACCOUNT',
  token: 'ZENITH',
  holderName: upperFirstFirst,
  transferIn: (r, from, memo) =>
    shape(from, [
      () => `NIP/${from.bank.token}/${up(from.name)}/${up(memo) || 'TRANSFER'}`,
      () => `NIP CR/MOB/${up(from.name)}/${from.bank.token}/${up(memo) || 'TRF'}`,
    ])(),
  transferOut: (r, to, memo) =>
    shape(to, [
      () => `NIP DR/MOB/${up(to.name)}/${to.bank.token}/${up(memo) || 'TRF'}`,
      () => `MOB TRF TO ${up(to.name)}/${to.bank.token}/${up(memo) || 'TRANSFER'}`,
    ])(),
  pos: (r, m, city) =>
    r.pick([
      `VC POS Loc-${r.digits(4)}LA${r.digits(2)}--${up(m)} ${up(city)} LA NG`,
      `MC Loc POS Prch-${r.digits(12)}--${up(m)} ${up(city)} NG`,
    ]),
  web: (r, m) => `MC Loc Web Prch-${r.digits(12)}--${up(m)} LAGOS NG`,
  airtime: (_r, net, phone) => `Airtime//${phone}//${net.toLowerCase()}`,
  bill: (r, b) => `ZENITH BILLS/${up(b)}/${ref(r, 10)}`,
  atm: (_r, place) => `ATM WDL ${up(place)}`,
  emtl: (r) => `EMTL-${ref(r, 12)}`,
  transferFee: (_r, amount) => {
    const fee = nipFee(amount);
    return [{ narration: 'NIP CHARGE+VAT', amountMinor: fee + vat(fee) }];
  },
  monthEnd: bankMonthEnd(
    (mon, y) => `SMS CHARGES ${mon} ${y}`,
    (mon) => `ACCT MAINT FEE ${mon}`,
    (mon) => `VAT ACCT MAINT FEE ${mon}`,
    400,
  ),
  interest: (_r, mon) => `CREDIT INTEREST CAPITALIZATION ${mon}`,
  overdraftInterest: (_r, mon, y) => `DEBIT INTEREST ${mon} ${y}`,
  posSettlement: (_r, tid, ddmm) => `POS SETTLEMENT ${tid}/${ddmm}`,
};

export const UBA: BankFormat = {
  key: 'uba',
  name: 'United Bank for Africa',
  code: '033',
  wallet: false,
  accountType: 'Digital Savings Account',
  token: 'UBA',
  holderName: upperSurnameFirst,
  transferIn: (r, from, memo) =>
    shape(from, [
      () => `MOB/UTO/${title(from.name)}/${memo || 'Transfer'}/${ref(r, 9)}`,
      () => `NIP FRM ${up(from.name)}-${up(memo) || from.bank.token}`,
    ])(),
  transferOut: (r, to, memo) =>
    shape(to, [() => `TNF-${title(to.name)}/${memo || 'Transfer'}`, () => `MOB/UTU/${title(to.name)}/${memo || 'trf'}/${ref(r, 9)}`])(),
  pos: (_r, m, city) => `POS PURCHASE ${up(m)} ${up(city)}`,
  web: (_r, m) => `WEB PURCHASE ${up(m)}`,
  airtime: (_r, net, phone) => `U-MOBILE AIRTIME ${up(net)} ${phone}`,
  bill: (r, b) => `UBA BILLS ${up(b)} ${ref(r, 8)}`,
  atm: (_r, place) => `ATM CASH WDL ${up(place)}`,
  emtl: () => 'EMTL CHARGE',
  transferFee: (_r, amount) => {
    const fee = nipFee(amount);
    return [{ narration: 'TRANSFER FEE + VAT', amountMinor: fee + vat(fee) }];
  },
  monthEnd: bankMonthEnd(
    (mon) => `SMS NOTIFICATION FEE ${mon}`,
    () => 'ACCOUNT MAINTENANCE FEE',
    () => 'VAT ON ACCT MAINTENANCE',
    400,
  ),
  interest: (_r, mon) => `INTEREST ON SAVINGS ${mon}`,
  overdraftInterest: (_r, mon, y) => `OD INTEREST ${mon}${y.slice(2)}`,
  posSettlement: (_r, tid, ddmm) => `POS SETTLEMENT ${tid} ${ddmm}`,
};

export const FIRSTBANK: BankFormat = {
  key: 'firstbank',
  name: 'First Bank of Nigeria',
  code: '011',
  wallet: false,
  accountType: 'SAVINGS',
  token: 'FBN',
  holderName: upperSurnameFirst,
  // The First Bank shape names both parties: FRM <sender> TO <beneficiary>. On a credit the holder is the beneficiary.
  transferIn: (_r, from, memo, holder) => `TRF/${memo || 'TRANSFER'}/FRM ${up(from.name)} TO ${up(holder)}- ${from.bank.code}`,
  transferOut: (_r, to, memo, holder) => `TRF/${memo || 'TRANSFER'}/FRM ${up(holder)} TO ${up(to.name)}- ${to.bank.code}`,
  pos: (_r, m, city) => `POS ${up(m)} ${up(city)} NG`,
  web: (_r, m) => `WEB ${up(m)} NG`,
  airtime: (_r, net, phone) => `AIRTIME/${up(net)}/${phone}`,
  bill: (r, b) => `BILLPAY/${up(b)}/${ref(r, 10)}`,
  atm: (_r, place) => `ATM WDL@${up(place)}`,
  emtl: () => 'FGN EMTL CHARGE',
  transferFee: (_r, amount) => {
    const fee = nipFee(amount);
    return [
      { narration: 'NIP TRANSFER FEE', amountMinor: fee },
      { narration: 'VAT ON NIP FEE', amountMinor: vat(fee) },
    ];
  },
  monthEnd: bankMonthEnd(
    (mon, y) => `SMS ALERT CHGS ${mon}${y.slice(2)}`,
    () => 'ACCOUNT MAINTENANCE CHARGE',
    () => 'VAT',
    400,
  ),
  interest: (_r, mon) => `CREDIT INTEREST ${mon}`,
  overdraftInterest: (_r, mon, y) => `INTEREST ON OVERDRAWN BAL ${mon} ${y}`,
  posSettlement: (_r, tid, ddmm) => `FIRSTMONIE POS SETTLEMENT ${tid} ${ddmm}`,
};

export const WEMA: BankFormat = {
  key: 'wema',
  name: 'Wema Bank',
  code: '035',
  wallet: false,
  accountType: 'SAVINGS',
  token: 'WEMA',
  holderName: upperFirstFirst,
  transferIn: (r, from, memo) =>
    shape(from, [() => `NIP:${up(from.name)}-${up(memo) || 'TRF'}`, () => `ALAT NIP CR ${up(from.name)} ${up(memo)}`.trim()])(),
  transferOut: (r, to, memo) =>
    shape(to, [() => `NIP Transfer to ${title(to.name)}`, () => `ALAT TRF TO ${up(to.name)} ${up(memo)}`.trim()])(),
  pos: (_r, m, city) => `ALAT POS ${up(m)} ${up(city)}`,
  web: (_r, m) => `ALAT WEB ${up(m)}`,
  airtime: (_r, net, phone) => `ALAT AIRTIME ${up(net)} ${phone}`,
  bill: (_r, b) => `ALAT BILLS ${up(b)}`,
  atm: (_r, place) => `ATM WITHDRAWAL ${up(place)}`,
  emtl: () => 'EMTL CHARGE',
  transferFee: (_r, amount) => {
    const fee = nipFee(amount);
    return [{ narration: 'NIP TRANSFER FEE', amountMinor: fee + vat(fee) }];
  },
  monthEnd: bankMonthEnd(
    (mon) => `SMS ALERT ${mon}`,
    () => 'ACCOUNT MAINTENANCE FEE',
    () => 'VAT ON MAINTENANCE FEE',
    400,
  ),
  interest: (_r, mon) => `INTEREST ${mon}`,
  overdraftInterest: (_r, mon) => `OD INTEREST ${mon}`,
  posSettlement: (_r, tid, ddmm) => `POS SETTLEMENT ${tid} ${ddmm}`,
};

export const KUDA: BankFormat = {
  key: 'kuda',
  name: 'Kuda Microfinance Bank',
  code: '50211',
  wallet: true,
  accountType: 'SAVINGS_ACCOUNT',
  token: 'KUDA',
  holderName: titleFirstFirst,
  transferIn: (r, from, memo) =>
    shape(from, [
      () => `Transfer from ${title(from.name)}`,
      () => `${title(from.name)}/${from.accountNumber}/${from.bank.name} - ${memo || 'Transfer'}`,
    ])(),
  transferOut: (r, to, memo) =>
    shape(to, [
      () => `Transfer to ${title(to.name)}`,
      () => `Sent to ${title(to.name)}/${to.accountNumber}/${to.bank.name} - ${memo || 'Transfer'}`,
    ])(),
  pos: (_r, m) => `Card payment - ${title(m)}`,
  web: (_r, m) => `Online card payment - ${title(m)}`,
  airtime: (_r, net, phone) => `Airtime - ${up(net)} ${phone}`,
  bill: (_r, b) => `${up(b)} bill payment`,
  atm: (_r, place) => `ATM withdrawal - ${title(place)}`,
  emtl: () => 'EMTL Levy',
  transferFee: () => [],
  monthEnd: () => [],
  interest: () => 'Interest earned',
  overdraftInterest: (_r, mon) => `Overdraft interest ${mon}`,
  posSettlement: (_r, tid) => `POS settlement ${tid}`,
};

export const OPAY: BankFormat = {
  key: 'opay',
  name: 'OPay Digital Services',
  code: '999992',
  wallet: true,
  accountType: 'WALLET',
  token: 'OPAY',
  holderName: titleFirstFirst,
  transferIn: (_r, from, memo) =>
    `Transfer from ${title(from.name)} | ${from.bank.name} | ${from.accountNumber}${memo ? ` | ${memo}` : ''}`,
  transferOut: (_r, to, memo) => `Transfer to ${title(to.name)} | ${to.bank.name} | ${to.accountNumber}${memo ? ` | ${memo}` : ''}`,
  pos: (_r, m) => `POS Payment - ${up(m)}`,
  web: (_r, m) => `Online Payment - ${up(m)}`,
  airtime: (_r, net, phone) => `Airtime | ${up(net)} | ${phone}`,
  bill: (_r, b) => `Bill Payment | ${up(b)}`,
  atm: (_r, place) => `Cash Withdrawal - ${up(place)}`,
  emtl: () => 'EMTL Levy',
  transferFee: () => [],
  monthEnd: () => [],
  interest: () => 'OWealth Interest Earned',
  overdraftInterest: (_r, mon) => `Overdraft interest ${mon}`,
  posSettlement: (_r, tid, ddmm) => `POS Transaction Settlement | ${tid} | ${ddmm}`,
};

export const PALMPAY: BankFormat = {
  key: 'palmpay',
  name: 'PalmPay',
  code: '999991',
  wallet: true,
  accountType: 'WALLET',
  token: 'PALMPAY',
  holderName: titleFirstFirst,
  transferIn: (_r, from) => `Received from ${title(from.name)}`,
  transferOut: (_r, to) => `Send to ${title(to.name)}`,
  pos: (_r, m) => `Merchant Payment - ${title(m)}`,
  web: (_r, m) => `Online Merchant Payment - ${title(m)}`,
  airtime: (_r, net) => `Airtime Top-up ${up(net)}`,
  bill: (_r, b) => `Bill Payment ${up(b)}`,
  atm: (_r, place) => `Cash Out ${title(place)}`,
  emtl: () => 'EMTL Levy',
  transferFee: () => [],
  monthEnd: () => [],
  interest: () => 'CashBox Interest',
  overdraftInterest: (_r, mon) => `Overdraft interest ${mon}`,
  posSettlement: (_r, tid) => `POS Settlement ${tid}`,
};

export const MONIEPOINT: BankFormat = {
  key: 'moniepoint',
  name: 'Moniepoint Microfinance Bank',
  code: '50515',
  wallet: true,
  accountType: 'CURRENT',
  token: 'MONIEPOINT',
  holderName: upperFirstFirst,
  transferIn: (r, from, memo) =>
    shape(from, [() => `TRANSFER FROM ${up(from.name)}`, () => `Transfer from ${title(from.name)} - ${memo || 'payment'}`])(),
  transferOut: (r, to, memo) =>
    shape(to, [() => `Transfer to ${up(to.name)}`, () => `TRF TO ${up(to.name)} ${to.bank.token} ${up(memo)}`.trim()])(),
  pos: (_r, m) => `CARD PURCHASE ${up(m)}`,
  web: (_r, m) => `WEB PURCHASE ${up(m)}`,
  airtime: (_r, net, phone) => `AIRTIME ${up(net)} ${phone}`,
  bill: (_r, b) => `BILL PAYMENT ${up(b)}`,
  atm: (_r, place) => `ATM WITHDRAWAL ${up(place)}`,
  emtl: () => 'EMTL CHARGE',
  transferFee: () => [{ narration: 'TRANSFER FEE', amountMinor: 2_000 }],
  monthEnd: () => [],
  interest: () => 'INTEREST EARNED',
  overdraftInterest: (_r, mon) => `OVERDRAFT INTEREST ${mon}`,
  posSettlement: (_r, tid, ddmm) => `POS SETTLEMENT TID ${tid} ${ddmm}`,
};

export const BANKS: readonly BankFormat[] = [GTBANK, ACCESS, ZENITH, UBA, FIRSTBANK, WEMA];
export const WALLETS: readonly BankFormat[] = [KUDA, OPAY, PALMPAY, MONIEPOINT];
export const ALL_FORMATS: readonly BankFormat[] = [...BANKS, ...WALLETS];
