/**
 * An evaluation population of borrowers with known truth, independent of src/sandbox (its own code, narration
 * formats in ./formats.ts and archetypes). Deterministic for a seed: borrower i depends only on (seed, i), so a
 * small slice is a prefix of the full population.
 *
 * Truth comes from how the data was generated, never from the engine:
 * - `monthlyIncomeMinor`: what a careful analyst would verify. Salaries, pensions: the current monthly rate (after a
 *   raise the new rate, after an employer change the new employer's rate). Weekly / fortnightly wages and gig payouts:
 *   the mean payment × 52/12 or × 26/12. Traders: the median over the six complete months of the month's business
 *   inflow from customers (customer transfers + POS settlements; turnover, not a profit margin). After a job loss: 0.
 *   Never income: moves between the borrower's own accounts and wallets, sporadic money from family and friends,
 *   loan disbursements, reversals, betting payouts, interest.
 * - `obligationsMonthlyMinor`: the monthly rate of loan repayments still running at asOf.
 * - `expectedDecisions`: the band of decisions a careful analyst would accept for the borrower.
 */
import { Decimal } from 'decimal.js';
import { ALL_FORMATS, BANKS, KUDA, MONIEPOINT, OPAY, PALMPAY, WALLETS, type BankFormat, type Party, type Pick } from './formats.js';

export const ARCHETYPES = [
  'salaried_family',
  'own_wallets',
  'weekly_wages',
  'fortnightly_wages',
  'gig_multi_narration',
  'salary_raise',
  'employer_change',
  'pension',
  'trader',
  'loan_stacker',
  'one_off_loan',
  'job_loss',
  'chronic_overdraft',
  'multi_account_sweep',
  'thin_file',
  'gambler',
] as const;
export type Archetype = (typeof ARCHETYPES)[number];
export type Decision = 'approve' | 'refer' | 'decline';

export interface MonoTransaction {
  id: string;
  narration: string;
  amount: number;
  type: 'debit' | 'credit';
  balance: number;
  date: string;
  category: string;
  currency: 'NGN';
}

export interface MonoExportItem {
  account: {
    id: string;
    name: string;
    account_number: string;
    currency: 'NGN';
    balance: number;
    type: string;
    bvn: string;
    institution: { name: string; bank_code: string; type: 'PERSONAL_BANKING' | 'BUSINESS_BANKING' };
  };
  meta: { data_status: 'AVAILABLE'; auth_method: 'mobile_banking' | 'internet_banking'; retrieved_data: string[] };
  transactions: MonoTransaction[];
}

export interface PopulationBorrower {
  id: string;
  archetype: Archetype;
  params: Record<string, number | string | boolean>;
  applicantName: string;
  exports: MonoExportItem[];
  requestedLoan?: { amountMinor: number; tenorMonths: number };
  truth: {
    monthlyIncomeMinor: number | null;
    obligationsMonthlyMinor: number;
    expectedDecisions: Decision[];
    notes: string;
  };
}

export interface GenerateOptions {
  seed: number;
  count: number;
  /** YYYY-MM-DD; the history ends the day before. */
  asOf: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit mix of (seed, index) so each borrower has its own stream. */
function mix(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

class Rng implements Pick {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }
  /** k distinct items. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, Math.min(k, copy.length));
  }
  /** `amount` scaled by a random factor in [loPermille, hiPermille] / 1000, whole naira (integer arithmetic). */
  vary(amountMinor: number, loPermille: number, hiPermille: number): number {
    return nairaDown(Math.floor((amountMinor * this.int(loPermille, hiPermille)) / 1000));
  }
  /** A naira amount in [loNaira, hiNaira], as kobo. */
  naira(loNaira: number, hiNaira: number): number {
    return this.int(loNaira, hiNaira) * 100;
  }
}

const nairaDown = (minor: number): number => Math.floor(minor / 100) * 100;
const permille = (amountMinor: number, pm: number): number => Math.floor((amountMinor * pm) / 1000);
/** Round a kobo amount down to a multiple of ₦`step`. */
const roundTo = (minor: number, stepNaira: number): number => Math.floor(minor / (stepNaira * 100)) * stepNaira * 100;

// ---------------------------------------------------------------------------------------------------------------
// Calendar (epoch days, UTC; Lagos dates equal UTC dates for the times used here, 06:00–22:30 UTC)

const DAY_MS = 86_400_000;
const toDay = (iso: string): number => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS);
const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekday = (day: number): number => new Date(day * DAY_MS).getUTCDay();
const ymd = (day: number): { y: number; m: number; d: number } => {
  const dt = new Date(day * DAY_MS);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth(), d: dt.getUTCDate() };
};
const dayOfYmd = (y: number, m: number, d: number): number => Math.floor(Date.UTC(y, m, d) / DAY_MS);
const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTHS_LONG = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];
/** Fixed-date Nigerian public holidays (New Year, Workers' Day, Democracy Day, Independence, Christmas, Boxing Day). */
const FIXED_HOLIDAYS = new Set(['01-01', '05-01', '06-12', '10-01', '12-25', '12-26']);
const isBusinessDay = (day: number): boolean => {
  const w = weekday(day);
  return w !== 0 && w !== 6 && !FIXED_HOLIDAYS.has(isoDate(day).slice(5));
};
/** The day itself or the closest business day before it (payroll is paid early). */
const businessOnOrBefore = (day: number): number => {
  let d = day;
  while (!isBusinessDay(d)) d--;
  return d;
};
const businessOnOrAfter = (day: number): number => {
  let d = day;
  while (!isBusinessDay(d)) d++;
  return d;
};

/** Each month's `dom` (clamped to the month's length, moved to the business day on or before) within [from, to]. */
function monthlyDays(from: number, to: number, dom: number): number[] {
  const out: number[] = [];
  const s = ymd(from);
  for (let y = s.y, m = s.m; dayOfYmd(y, m, 1) <= to; m === 11 ? ((m = 0), y++) : m++) {
    const d = businessOnOrBefore(dayOfYmd(y, m, Math.min(dom, daysInMonth(y, m))));
    if (d >= from && d <= to) out.push(d);
  }
  return out;
}

/** Every `period` days from the first `wd` weekday on or after `from`, within [from, to]. */
function periodicDays(from: number, to: number, wd: number, period: number): number[] {
  let d = from;
  while (weekday(d) !== wd) d++;
  const out: number[] = [];
  for (; d <= to; d += period) out.push(d);
  return out;
}

/** Month starts (epoch days) of months intersecting [from, to]. */
function monthStarts(from: number, to: number): number[] {
  const out: number[] = [];
  const s = ymd(from);
  for (let y = s.y, m = s.m; dayOfYmd(y, m, 1) <= to; m === 11 ? ((m = 0), y++) : m++) out.push(dayOfYmd(y, m, 1));
  return out;
}
const monthEndDay = (monthStart: number): number => {
  const { y, m } = ymd(monthStart);
  return dayOfYmd(y, m, daysInMonth(y, m));
};

// ---------------------------------------------------------------------------------------------------------------
// Invented names and places

const FIRST = [
  'Adebayo',
  'Chinonso',
  'Emeka',
  'Ngozi',
  'Funmilayo',
  'Tunde',
  'Aisha',
  'Ibrahim',
  'Yetunde',
  'Oluwaseun',
  'Chiamaka',
  'Uchechi',
  'Kelechi',
  'Amina',
  'Halima',
  'Musa',
  'Obinna',
  'Ifeoma',
  'Temitope',
  'Babatunde',
  'Nneka',
  'Segun',
  'Bukola',
  'Chidinma',
  'Femi',
  'Zainab',
  'Usman',
  'Efosa',
  'Osaro',
  'Ese',
  'Tamunoemi',
  'Ebiere',
  'Ikenna',
  'Adaeze',
  'Kunle',
  'Folake',
  'Damilola',
  'Sadiq',
  'Hauwa',
  'Nkechi',
  'Gbenga',
  'Titilayo',
  'Chukwuemeka',
  'Oghenekaro',
  'Ejiro',
  'Bisola',
  'Yakubu',
  'Rukayat',
  'Somtochukwu',
  'Ayodele',
  'Ebuka',
  'Mariam',
  'Tobiloba',
  'Ifeanyi',
  'Nafisa',
];
const SURNAMES = [
  'Okafor',
  'Adeyemi',
  'Balogun',
  'Eze',
  'Okonkwo',
  'Bello',
  'Ogunleye',
  'Nwosu',
  'Akinola',
  'Danjuma',
  'Obi',
  'Adekunle',
  'Oyelaran',
  'Chukwu',
  'Igwe',
  'Olatunji',
  'Okoro',
  'Abubakar',
  'Lawal',
  'Ekanem',
  'Etim',
  'Effiong',
  'Osaghae',
  'Ighodaro',
  'Omoregie',
  'Ogbonna',
  'Anyanwu',
  'Afolabi',
  'Oladipo',
  'Olaniyan',
  'Ojo',
  'Onyeka',
  'Yusuf',
  'Garba',
  'Edet',
  'Akpan',
  'Amadi',
  'Iwu',
  'Odukoya',
  'Oyewole',
  'Nwachukwu',
  'Ibekwe',
  'Adegoke',
  'Fagbemi',
  'Oduya',
  'Tiamiyu',
  'Umeh',
  'Ukaegbu',
  'Aminu',
  'Ogundipe',
];
const EMPLOYERS = [
  'ZENTRIX SYSTEMS LTD',
  'KAWAMBA FOODS NIGERIA LIMITED',
  'BLUEHARBOUR LOGISTICS LTD',
  'OKOYE AND PARTNERS',
  'SUNRISE SPECIALIST HOSPITAL LTD',
  'DELTAPOINT ENGINEERING SERVICES',
  'GREENFIELD COLLEGE',
  'MERIDIAN AGRO ALLIED LTD',
  'NORTHGATE TELECOM SERVICES LTD',
  'ALABA TEXTILE MILLS LTD',
  'CRESTVIEW ESTATES LIMITED',
  'BRIGHTWAVE ENERGY LTD',
  'IROKO FREIGHT AND CLEARING',
  'LAGOON PHARMA LIMITED',
  'SAVANNAH MOTORS NIG LTD',
  'HILLTOP ACADEMY',
  'EKO INSURANCE BROKERS LTD',
  'REDSTONE CONSTRUCTION CO',
  'CITYLINK COURIERS LTD',
  'ORIENTAL PRINTS AND PACKAGING',
];
const WAGE_PAYERS = [
  'ADEX PACKAGING ENT',
  'NEW DAWN BAKERY',
  'SUNSHINE BLOCK INDUSTRY',
  'TOPMARK BUILDERS',
  'GOLDLEAF FARMS',
  'PRIMECUT ABATTOIR SERVICES',
];
const PFAS = ['CORNERSTONE PENSIONS', 'HERITAGE PENSION MGRS', 'TRUSTLINE PFA', 'OKUTA PENSIONS LTD'];
const GIG_PAYERS: { key: string; variants: string[] }[] = [
  { key: 'bolt', variants: ['BOLT PAYOUT WEEKLY', 'BOLT TECHNOLOGY OU PAYOUT', 'BOLT OPERATIONS OU WEEKLY EARNINGS'] },
  { key: 'uber', variants: ['UBER BV PAYOUT', 'UBER NIGERIA WEEKLY EARNINGS', 'UBER B.V. DRIVER PAYMENT'] },
  { key: 'chowdeck', variants: ['CHOWDECK TECHNOLOGIES PAYOUT', 'CHOWDECK RIDER WEEKLY PAY', 'CHOWDECK TECH LTD'] },
  { key: 'indrive', variants: ['INDRIVE PAYOUT', 'INDRIVER DRIVER EARNINGS', 'INDRIVE WEEKLY SETTLEMENT'] },
];
const MERCHANTS = [
  'GOLDEN TOUCH SUPERMARKET',
  'ST JUDE PHARMACY',
  'MAMA CASS EATERY',
  'FAITHWAY FILLING STATION',
  'DE-BOSS PROVISIONS',
  'CRYSTAL MART',
  'NEW ERA BAKERY',
  'KINGS KITCHEN',
  'ACE FUEL STATION',
  'BLESSED HANDS SALON',
  'ROYAL SPARE PARTS',
  'SHOPRITE',
  'SPAR',
  'CHICKEN REPUBLIC',
  'EMEKUS MOBILE PHONES',
  'GRACELAND SUPERSTORES',
  'ORANGE BLOSSOM BAR',
];
const WEB_MERCHANTS = ['JUMIA', 'NETFLIX.COM', 'SPOTIFY', 'KONGA', 'UBER TRIP', 'BOLT.EU RIDE', 'APPLE.COM/BILL'];
const CITIES = [
  'LAGOS',
  'IKEJA',
  'YABA',
  'LEKKI',
  'ABUJA',
  'WUSE',
  'IBADAN',
  'ENUGU',
  'PORT HARCOURT',
  'KANO',
  'BENIN',
  'ABEOKUTA',
  'OWERRI',
];
const BILLERS = ['DSTV', 'GOTV', 'IKEJA ELECTRIC', 'EKEDC', 'AEDC', 'IBEDC', 'STARTIMES', 'SPECTRANET', 'LAWMA'];
const NETWORKS = ['MTN', 'AIRTEL', 'GLO', '9MOBILE'];
const SUPPLIERS = [
  'DANGOTE DISTRIBUTORS ENT',
  'UNITY WHOLESALE VENTURES',
  'OKEY AND SONS TRADING',
  'NAFDAC-CLEAN FOODS DEPOT',
  'MAKOKO COLD ROOM',
];
const LENDERS: { key: string; disb: string[]; repay: string[] }[] = [
  {
    key: 'fairmoney',
    disb: ['FAIRMONEY MFB LOAN DISBURSEMENT', 'FAIRMONEY MICROFINANCE BANK'],
    repay: ['FAIRMONEY REPAYMENT', 'FAIRMONEY MFB LOAN REPAY'],
  },
  { key: 'carbon', disb: ['CARBON LOAN DISBURSAL', 'CARBON FINANCE/LOAN'], repay: ['CARBON REPAYMENT', 'PAYSTACK/CARBON LOAN REPAY'] },
  {
    key: 'palmcredit',
    disb: ['PALMCREDIT LOAN', 'NEWEDGE FINANCE PALMCREDIT'],
    repay: ['PALMCREDIT REPAYMENT', 'PALMCREDIT LOAN REPAYMENT'],
  },
  {
    key: 'branch',
    disb: ['BRANCH INTERNATIONAL FINANCIAL SERVICES', 'BRANCH LOAN DISB'],
    repay: ['BRANCH REPAYMENT', 'DIRECT DEBIT BRANCH INTL'],
  },
  { key: 'renmoney', disb: ['RENMONEY MFB DISBURSEMENT', 'RENMONEY LOAN'], repay: ['REMITA DD RENMONEY', 'RENMONEY LOAN REPAYMENT'] },
  { key: 'aella', disb: ['AELLA CREDIT LOAN DISBURSEMENT', 'AELLA LOAN'], repay: ['AELLA REPAYMENT', 'AELLA CREDIT REPAY'] },
  { key: 'quickcheck', disb: ['QUICKCHECK LOAN DISBURSEMENT'], repay: ['QUICKCHECK REPAYMENT'] },
];
const BOOKMAKERS: { stake: string[]; payout: string[] }[] = [
  { stake: ['SPORTYBET NIGERIA DEPOSIT', 'PAYSTACK/SPORTYBET'], payout: ['SPORTYBET WITHDRAWAL', 'SPORTYBET NIG PAYOUT'] },
  { stake: ['BET9JA WALLET FUNDING', 'WEB PURCHASE BET9JA'], payout: ['BET9JA PAYOUT', 'KC GAMING/BET9JA WITHDRAWAL'] },
  { stake: ['BETKING DEPOSIT', 'FLW/BETKING TOPUP'], payout: ['BETKING WITHDRAWAL'] },
  { stake: ['NAIRABET FUNDING', 'MSPORT DEPOSIT'], payout: ['NAIRABET PAYOUT', 'MSPORT WITHDRAWAL'] },
];
const FAMILY_MEMOS = [
  '',
  '',
  'for you',
  'upkeep',
  'happy birthday',
  'from mummy',
  'school fees support',
  'take care',
  'transport',
  'gift',
  'for the kids',
];
const PEER_MEMOS = ['', '', 'thanks', 'contribution', 'ajo', 'food', 'rent share', 'transport', 'balance', 'for Saturday'];
const CUSTOMER_MEMOS = ['', '', '', 'goods', 'payment', 'balance', 'for rice', 'for order', '2 cartons', 'deposit'];

interface Holder {
  first: string;
  middle: string | null;
  surname: string;
  suffix: string | null;
}

function fullName(h: Holder): string {
  return [h.first, h.middle, h.surname, h.suffix].filter(Boolean).join(' ');
}

function makeHolder(r: Rng): Holder {
  const surname = r.chance(0.08) ? `${r.pick(SURNAMES)}-${r.pick(SURNAMES)}` : r.pick(SURNAMES);
  return { first: r.pick(FIRST), middle: r.chance(0.7) ? r.pick(FIRST) : null, surname, suffix: r.chance(0.05) ? 'JNR' : null };
}

function otherPerson(r: Rng, shareSurnameWith?: Holder): string {
  const surname = shareSurnameWith ? shareSurnameWith.surname : r.pick(SURNAMES);
  return r.chance(0.5) ? `${r.pick(FIRST)} ${surname}` : `${r.pick(FIRST)} ${r.pick(FIRST)} ${surname}`;
}

/** The holder's name as another bank or wallet might write it: order, initials, gluing, missing middle names. */
function holderVariant(r: Rng, h: Holder): string {
  const m = h.middle;
  const s = h.surname;
  const f = h.first;
  return r.pick<() => string>([
    () => [f, m, s].filter(Boolean).join(' '),
    () => [s, f, m].filter(Boolean).join(' '),
    () => `${s} ${f}`,
    () => `${f} ${s}`,
    () => `${f[0]}. ${m ? `${m[0]}. ` : ''}${s}`,
    () => `${s} ${f[0]}${m ? ` ${m[0]}` : ''}`,
    () => `${f}${s}`,
    () => `${s}${f}${m ? ` ${m}` : ''}`,
    () => [f, m, s, h.suffix].filter(Boolean).join(' '),
  ])();
}

const phone = (r: Rng): string =>
  `${r.pick(['0803', '0806', '0813', '0816', '0703', '0708', '0802', '0805', '0905', '0909'])}${r.digits(7)}`;

// ---------------------------------------------------------------------------------------------------------------
// Ledger: events across a borrower's accounts, applied in time order with running balances

interface Leg {
  acct: number;
  dir: 'debit' | 'credit';
  amount: number;
  narration: string;
  category: string;
  /** Electronic credit that attracts the ₦50 EMTL. */
  levy?: boolean;
  /** Outward transfer that attracts the bank's transfer fee. */
  fee?: boolean;
}

interface LedgerEvent {
  day: number;
  sec: number;
  legs: Leg[];
  /** Mandatory events run even if they overdraw; optional debits are skipped when the money is not there. */
  mandatory: boolean;
  /** Computed at apply time from the running state (month-end charges, interest). */
  compute?: (state: AccountState[]) => Leg[];
}

interface AccountState {
  fmt: BankFormat;
  id: string;
  number: string;
  holderName: string;
  floor: number;
  balance: number;
  rows: (MonoTransaction & { order: number })[];
  /** Per month (YYYY-MM): row count and customer-induced debit turnover, for month-end charges. */
  monthRows: Map<string, { rows: number; turnover: number }>;
}

const LEVY_MIN = 1_000_000;
const LEVY = 5_000;

class Ledger {
  readonly accounts: AccountState[] = [];
  private readonly events: LedgerEvent[] = [];
  private readonly usedSecs = new Map<number, Set<number>>();
  private order = 0;

  constructor(private readonly r: Rng) {}

  addAccount(fmt: BankFormat, holderName: string, opening: number, floor = 0): number {
    this.accounts.push({
      fmt,
      id: this.r.hex(24),
      number: this.r.digits(10),
      holderName,
      floor,
      balance: opening,
      rows: [],
      monthRows: new Map(),
    });
    return this.accounts.length - 1;
  }

  /** A free second of the day (multiples of 10, so derived rows at +1..+5 never collide). */
  private sec(day: number, fromHour: number, toHour: number): number {
    let used = this.usedSecs.get(day);
    if (!used) this.usedSecs.set(day, (used = new Set()));
    for (;;) {
      const s = this.r.int(fromHour * 360, toHour * 360 - 1) * 10;
      if (!used.has(s)) {
        used.add(s);
        return s;
      }
    }
  }

  add(day: number, legs: Leg[], opts: { mandatory?: boolean; fromHour?: number; toHour?: number } = {}): void {
    this.events.push({ day, sec: this.sec(day, opts.fromHour ?? 7, opts.toHour ?? 21), legs, mandatory: opts.mandatory ?? false });
  }

  addComputed(day: number, hour: number, compute: (state: AccountState[]) => Leg[]): void {
    this.events.push({ day, sec: this.sec(day, hour, hour + 1), legs: [], mandatory: true, compute });
  }

  private push(a: AccountState, day: number, sec: number, leg: Leg): void {
    a.balance += leg.dir === 'credit' ? leg.amount : -leg.amount;
    const date = new Date(day * DAY_MS + sec * 1000).toISOString();
    a.rows.push({
      id: this.r.hex(24),
      narration: leg.narration,
      amount: leg.amount,
      type: leg.dir,
      balance: a.balance,
      date,
      category: leg.category,
      currency: 'NGN',
      order: this.order++,
    });
    const month = isoDate(day).slice(0, 7);
    const m = a.monthRows.get(month) ?? { rows: 0, turnover: 0 };
    m.rows++;
    if (leg.dir === 'debit' && leg.category !== 'bank_charges') m.turnover += leg.amount;
    a.monthRows.set(month, m);
  }

  run(): void {
    this.events.sort((x, y) => x.day - y.day || x.sec - y.sec);
    for (const ev of this.events) {
      const legs = ev.compute ? ev.compute(this.accounts) : ev.legs;
      if (!ev.mandatory) {
        const need = new Map<number, number>();
        for (const l of legs) if (l.dir === 'debit') need.set(l.acct, (need.get(l.acct) ?? 0) + l.amount);
        let ok = true;
        for (const [acct, amount] of need) if (this.accounts[acct].balance - amount < this.accounts[acct].floor) ok = false;
        if (!ok) continue;
      }
      let k = 1;
      for (const leg of legs) {
        const a = this.accounts[leg.acct];
        this.push(a, ev.day, ev.sec, leg);
        if (leg.levy && leg.dir === 'credit' && leg.amount >= LEVY_MIN)
          this.push(a, ev.day, ev.sec + k++, {
            acct: leg.acct,
            dir: 'debit',
            amount: LEVY,
            narration: a.fmt.emtl(this.r),
            category: 'bank_charges',
          });
        if (leg.fee && leg.dir === 'debit')
          for (const c of a.fmt.transferFee(this.r, leg.amount))
            this.push(a, ev.day, ev.sec + k++, {
              acct: leg.acct,
              dir: 'debit',
              amount: c.amountMinor,
              narration: c.narration,
              category: 'bank_charges',
            });
      }
    }
  }

  exports(bvn: string): MonoExportItem[] {
    return this.accounts.map((a) => ({
      account: {
        id: a.id,
        name: a.holderName,
        account_number: a.number,
        currency: 'NGN',
        balance: a.balance,
        type: a.fmt.accountType,
        bvn,
        institution: { name: a.fmt.name, bank_code: a.fmt.code, type: 'PERSONAL_BANKING' },
      },
      meta: { data_status: 'AVAILABLE', auth_method: 'mobile_banking', retrieved_data: ['identity', 'balance', 'transactions'] },
      // Mono lists newest first; inside one instant, the later-applied row first.
      transactions: [...a.rows]
        .sort((x, y) => (x.date === y.date ? y.order - x.order : x.date < y.date ? 1 : -1))
        .map(({ order: _order, ...t }) => t),
    }));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Behaviours shared by archetypes

interface Ctx {
  r: Rng;
  ledger: Ledger;
  holder: Holder;
  start: number;
  end: number;
  asOfDay: number;
  params: Record<string, number | string | boolean>;
}

/** A counterparty at a random bank or wallet. */
function party(r: Rng, name: string, bank?: BankFormat): Party {
  return { name, bank: bank ?? r.pick(ALL_FORMATS), accountNumber: r.digits(10), variant: r.int(0, 5) };
}

const holderOf = (c: Ctx, acct: number): string => c.ledger.accounts[acct].holderName;
const fmtOf = (c: Ctx, acct: number): BankFormat => c.ledger.accounts[acct].fmt;

function creditFrom(c: Ctx, acct: number, day: number, amount: number, from: Party, memo: string, category = 'transfer'): void {
  const fmt = fmtOf(c, acct);
  c.ledger.add(
    day,
    [{ acct, dir: 'credit', amount, narration: fmt.transferIn(c.r, from, memo, holderOf(c, acct)), category, levy: true }],
    {
      mandatory: true,
    },
  );
}

function debitTo(c: Ctx, acct: number, day: number, amount: number, to: Party, memo: string, mandatory = false): void {
  const fmt = fmtOf(c, acct);
  c.ledger.add(
    day,
    [{ acct, dir: 'debit', amount, narration: fmt.transferOut(c.r, to, memo, holderOf(c, acct)), category: 'transfer', fee: true }],
    {
      mandatory,
    },
  );
}

/** Month-end bank charges and wallet interest on every account, and overdraft interest where the balance is negative. */
function addAccountUpkeep(c: Ctx): void {
  for (const ms of monthStarts(c.start, c.end)) {
    const last = Math.min(monthEndDay(ms), c.end);
    if (last !== monthEndDay(ms)) continue;
    const { y, m } = ymd(ms);
    const mon = MONTHS[m];
    const key = isoDate(ms).slice(0, 7);
    c.ledger.addComputed(last, 21, (state) => {
      const legs: Leg[] = [];
      state.forEach((a, acct) => {
        const stats = a.monthRows.get(key) ?? { rows: 0, turnover: 0 };
        for (const ch of a.fmt.monthEnd(c.r, mon, String(y), stats.rows, stats.turnover))
          legs.push({ acct, dir: 'debit', amount: ch.amountMinor, narration: ch.narration, category: 'bank_charges' });
        if (a.balance < 0)
          legs.push({
            acct,
            dir: 'debit',
            amount: Math.max(100, permille(-a.balance, 25)),
            narration: a.fmt.overdraftInterest(c.r, mon, String(y)),
            category: 'bank_charges',
          });
        else if (a.fmt.wallet && a.balance >= 1_000_000)
          legs.push({
            acct,
            dir: 'credit',
            amount: Math.floor((a.balance * 8) / 1200),
            narration: a.fmt.interest(c.r, mon),
            category: 'interest',
          });
      });
      return legs;
    });
  }
}

/**
 * Everyday spending from `acct` over [from, to] at about `monthlyMinor` a month: card/POS, web, airtime, bills, ATM,
 * transfers to people. Optional events: skipped when the balance is short, as a real customer's would fail.
 */
function addSpending(c: Ctx, acct: number, from: number, to: number, monthlyMinor: number): void {
  const r = c.r;
  const fmt = fmtOf(c, acct);
  const pick = (): number => r.int(from, to);
  const days = to - from + 1;
  const scaled = (perMonth: number): number => Math.max(0, Math.round((perMonth * days) / 30));
  // Card / POS: ~30% of spend, about 11 purchases a month.
  const nPos = scaled(r.int(6, 16));
  for (let i = 0; i < nPos; i++) {
    const amount = r.vary(Math.floor((monthlyMinor * 3) / 10 / 11), 300, 1800);
    if (amount < 20_000) continue;
    c.ledger.add(pick(), [
      { acct, dir: 'debit', amount, narration: fmt.pos(r, r.pick(MERCHANTS), r.pick(CITIES)), category: 'online_transactions' },
    ]);
  }
  const nWeb = scaled(r.int(0, 3));
  for (let i = 0; i < nWeb; i++)
    c.ledger.add(pick(), [
      { acct, dir: 'debit', amount: r.naira(1500, 9000), narration: fmt.web(r, r.pick(WEB_MERCHANTS)), category: 'online_transactions' },
    ]);
  // Airtime and data.
  const myPhone = phone(r);
  const net = r.pick(NETWORKS);
  const nAir = scaled(r.int(2, 6));
  for (let i = 0; i < nAir; i++)
    c.ledger.add(pick(), [
      {
        acct,
        dir: 'debit',
        amount: r.pick([20_000, 50_000, 100_000, 150_000, 200_000, 300_000]),
        narration: fmt.airtime(r, net, myPhone),
        category: 'airtime',
      },
    ]);
  // Bills: one or two a month.
  for (const ms of monthStarts(from, to)) {
    const biller = r.pick(BILLERS);
    const d = Math.max(from, Math.min(to, ms + r.int(2, 20)));
    c.ledger.add(d, [
      { acct, dir: 'debit', amount: r.vary(Math.floor(monthlyMinor / 12), 500, 1500), narration: fmt.bill(r, biller), category: 'bills' },
    ]);
  }
  // ATM: ~15%.
  const nAtm = scaled(r.int(1, 3));
  for (let i = 0; i < nAtm; i++) {
    const amount = roundTo(r.vary(Math.floor((monthlyMinor * 15) / 100 / 2), 500, 1500), 1000);
    if (amount >= 100_000)
      c.ledger.add(pick(), [
        {
          acct,
          dir: 'debit',
          amount,
          narration: fmt.atm(r, `${r.pick(['GTB', 'FBN', 'UBA', 'ZENITH', 'ACCESS'])} ATM ${r.pick(CITIES)}`),
          category: 'cash_withdrawal',
        },
      ]);
  }
  // Transfers to people (friends, vendors, landlord share): ~30%.
  const peers = Array.from({ length: r.int(3, 8) }, () => party(r, otherPerson(r)));
  const nTrf = scaled(r.int(2, 6));
  for (let i = 0; i < nTrf; i++) {
    const amount = r.vary(Math.floor((monthlyMinor * 3) / 10 / 4), 200, 1800);
    if (amount >= 50_000) debitTo(c, acct, pick(), amount, r.pick(peers), r.pick(PEER_MEMOS));
  }
}

/**
 * Sporadic person-to-person money from 2–6 relatives and friends: varied sizes, no cadence. Never income.
 * Returns the total credited.
 */
function addFamilyInflows(c: Ctx, acct: number, from: number, to: number, relatives: number, monthlyMinor: number): number {
  const r = c.r;
  const people = Array.from({ length: relatives }, () => party(r, otherPerson(r, r.chance(0.4) ? c.holder : undefined)));
  let total = 0;
  for (const ms of monthStarts(from, to)) {
    const n = r.int(0, Math.max(1, Math.ceil(relatives / 1.5)));
    for (let i = 0; i < n; i++) {
      const d = ms + r.int(0, 27);
      if (d < from || d > to) continue;
      const amount = roundTo(r.vary(Math.floor(monthlyMinor / Math.max(1, n)), 200, 1800), r.pick([500, 1000, 1000, 5000]));
      if (amount < 200_000) continue;
      creditFrom(c, acct, d, amount, r.pick(people), r.pick(FAMILY_MEMOS));
      total += amount;
    }
  }
  return total;
}

type SalaryStyle = 'memo_salary' | 'memo_plain' | 'bulk' | 'remita';

/** A salary credit in one of several payroll shapes (NIP with a memo, bulk payment, Remita). */
function addSalaryCredit(c: Ctx, acct: number, day: number, amount: number, employer: Party, style: SalaryStyle, memoStyle: number): void {
  const r = c.r;
  const fmt = fmtOf(c, acct);
  const { y, m } = ymd(day);
  let narration: string;
  if (style === 'bulk') narration = `BULK PAYMENT/${employer.name}/${MONTHS[m]} ${y} SALARY`;
  else if (style === 'remita') narration = `REMITA/${employer.name}/${MONTHS[m]} ${y} SAL/${r.digits(10)}`;
  else {
    // Keep one employer's memo shape stable month to month (memoStyle), as a payroll run would.
    const memo = style === 'memo_plain' ? ['PAYMENT', 'STAFF PAYMENT', `${MONTHS[m]} ${y}`][memoStyle % 3] : salaryMemo(day, memoStyle);
    narration = fmt.transferIn(r, employer, memo, holderOf(c, acct));
  }
  c.ledger.add(day, [{ acct, dir: 'credit', amount, narration, category: r.chance(0.3) ? 'unknown' : 'transfer', levy: true }], {
    mandatory: true,
    fromHour: 6,
    toHour: 12,
  });
}

function salaryMemo(day: number, k: number): string {
  const { y, m } = ymd(day);
  return [
    `${MONTHS[m]} ${y} SALARY`,
    `SALARY ${MONTHS_LONG[m]}`,
    `SAL FOR ${MONTHS[m]}`,
    `PAYROLL ${MONTHS[m]}${String(y).slice(2)}`,
    `NET PAY ${MONTHS[m]} ${y}`,
    `STAFF SALARY ${MONTHS[m]}`,
  ][k % 6];
}

interface SalarySpec {
  employer: Party;
  style: SalaryStyle;
  memoStyle: number;
  dom: number;
}

function salarySpec(r: Rng, name?: string): SalarySpec {
  return {
    employer: party(r, name ?? r.pick(EMPLOYERS), r.pick(BANKS)),
    style: r.pick<SalaryStyle>(['memo_salary', 'memo_salary', 'memo_salary', 'memo_plain', 'bulk', 'remita']),
    memoStyle: r.int(0, 5),
    dom: r.pick([20, 22, 24, 25, 25, 26, 27, 28, 30]),
  };
}

/** Monthly salary over [from, to]; returns the pay days. `amountOf(i)` gives the i-th payment. */
function addMonthlySalary(
  c: Ctx,
  acct: number,
  spec: SalarySpec,
  from: number,
  to: number,
  amountOf: (i: number, day: number) => number,
): number[] {
  // Now and then payroll runs a business day late (which can cross a month end).
  const days = monthlyDays(from, to, spec.dom)
    .map((d) => (c.r.chance(0.1) ? businessOnOrAfter(d + 1) : d))
    .filter((d) => d <= to);
  days.forEach((d, i) => addSalaryCredit(c, acct, d, amountOf(i, d), spec.employer, spec.style, spec.memoStyle));
  return days;
}

const salaryNoise = (c: Ctx, amount: number): number => (c.r.chance(0.25) ? amount + c.r.naira(-1500, 1500) : amount);

/**
 * A loan: disbursement, then equal repayments on `repayDays` (the schedule may run past the history); the principal
 * plus interest (`repayPermille` of it) is spread over `payments`. Returns the repayment amount.
 */
function addLoan(
  c: Ctx,
  acct: number,
  lender: (typeof LENDERS)[number],
  disburseDay: number,
  principal: number,
  repayDays: number[],
  payments: number,
  repayPermille: number,
): number {
  const r = c.r;
  c.ledger.add(disburseDay, [{ acct, dir: 'credit', amount: principal, narration: r.pick(lender.disb), category: 'loan', levy: true }], {
    mandatory: true,
  });
  const repayment = nairaDown(Math.floor((principal * repayPermille) / 1000 / payments));
  for (const d of repayDays) {
    if (d <= disburseDay || d > c.end) continue;
    c.ledger.add(d, [{ acct, dir: 'debit', amount: repayment, narration: r.pick(lender.repay), category: 'loan' }], {
      mandatory: true,
      fromHour: 12,
      toHour: 20,
    });
  }
  return repayment;
}

/** Requested loan sized so the instalment is `sharePermille` of `incomeMinor` at 4%/month over the tenor. */
function requestFor(r: Rng, incomeMinor: number, sharePermille: number): { amountMinor: number; tenorMonths: number } {
  const tenorMonths = r.pick([3, 4, 6, 6, 9, 12]);
  const rate = new Decimal('0.04');
  const annuity = new Decimal(1).minus(rate.plus(1).pow(-tenorMonths)).div(rate);
  const amount = new Decimal(incomeMinor).mul(sharePermille).div(1000).mul(annuity).floor().toNumber();
  return { amountMinor: Math.max(1_000_000, Math.min(500_000_000, roundTo(amount, 5000))), tenorMonths };
}

const monthlyFromPeriodic = (paymentsMinor: number[], perYear: number): number =>
  paymentsMinor.length === 0
    ? 0
    : new Decimal(paymentsMinor.reduce((s, x) => s + x, 0)).div(paymentsMinor.length).mul(perYear).div(12).floor().toNumber();

// ---------------------------------------------------------------------------------------------------------------
// Archetypes

interface Built {
  income: number | null;
  obligations: number;
  expected: Decision[];
  notes: string;
  /** Income the applicant would size a request on (the former salary after a job loss). */
  requestBasis?: number;
  /** Adjusts the truth from the generated ledger once it has run (e.g. the days actually overdrawn). */
  finalize?: (accounts: readonly AccountState[]) => Partial<Pick2<Built, 'expected' | 'notes'>>;
}

type Pick2<T, K extends keyof T> = { [P in K]: T[P] };

/** End-of-day balance below zero on how many of the `days` days before asOf (the account's own running balances). */
function negativeDays(a: AccountState, asOfDay: number, days: number, opening: number): number {
  const eod = new Map<number, number>();
  for (const row of a.rows) eod.set(toDay(row.date), row.balance);
  let balance = opening;
  let count = 0;
  const first = asOfDay - days;
  for (let d = Math.min(first, ...eod.keys()); d < asOfDay; d++) {
    if (eod.has(d)) balance = eod.get(d)!;
    if (d >= first && balance < 0) count++;
  }
  return count;
}

const HEALTHY: Decision[] = ['approve'];
const REVIEW: Decision[] = ['refer', 'decline'];

/** Primary account: a bank most of the time, a wallet sometimes. */
function primaryFormat(r: Rng): BankFormat {
  return r.chance(0.8) ? r.pick(BANKS) : r.pick([KUDA, OPAY, MONIEPOINT, PALMPAY]);
}

function openPrimary(c: Ctx, fmt: BankFormat, opening: number, floor = 0): number {
  return c.ledger.addAccount(fmt, fmt.holderName(c.holder.first, c.holder.middle, c.holder.surname), opening, floor);
}

/** ₦60,000 – ₦800,000 a month in ₦5,000 steps. */
function baseSalary(r: Rng): number {
  return r.int(12, 160) * 5_000 * 100;
}

/** Salary, spending and optional family noise: the base of most salaried archetypes. */
function salariedBase(c: Ctx, acct: number, salary: number, opts: { spendPermille?: number; familyChance?: number } = {}): SalarySpec {
  const spec = salarySpec(c.r);
  addMonthlySalary(c, acct, spec, c.start, c.end, () => salaryNoise(c, salary));
  addSpending(c, acct, c.start, c.end, permille(salary, opts.spendPermille ?? c.r.int(750, 1000)));
  if (c.r.chance(opts.familyChance ?? 0)) {
    const rel = c.r.int(1, 3);
    c.params.familyNoiseRelatives = rel;
    addFamilyInflows(c, acct, c.start, c.end, rel, permille(salary, c.r.int(30, 120)));
  }
  c.params.salaryDay = spec.dom;
  c.params.salaryStyle = spec.style;
  return spec;
}

const builders: Record<Archetype, (c: Ctx) => Built> = {
  salaried_family(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(salary, 200, 1200));
    salariedBase(c, acct, salary);
    const relatives = c.r.int(2, 6);
    const familyPermille = c.r.int(100, 500);
    const total = addFamilyInflows(c, acct, c.start, c.end, relatives, permille(salary, familyPermille));
    Object.assign(c.params, { salary, relatives, familyPermille, familyTotal: total });
    return {
      income: salary,
      obligations: 0,
      expected: HEALTHY,
      notes: `salary + ${relatives} relatives/friends sending sporadic money (not income)`,
    };
  },

  own_wallets(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, c.r.pick(BANKS), c.r.vary(salary, 200, 1000));
    salariedBase(c, acct, salary, { spendPermille: c.r.int(350, 600) });
    // Each wallet writes the holder's name its own way, the same way every time.
    const wallets = c.r.sample([KUDA, OPAY, PALMPAY, MONIEPOINT], c.r.int(1, 3)).map((w) => ({
      w,
      out: party(c.r, holderVariant(c.r, c.holder), w),
      back: party(c.r, holderVariant(c.r, c.holder), w),
      backShape: c.r.int(0, 2),
    }));
    const fmt = fmtOf(c, acct);
    // Money out to own wallets a few times a month; some comes back ("TRF FROM <HOLDER> KUDA" and similar).
    let back = 0;
    for (const ms of monthStarts(c.start, c.end)) {
      for (let i = 0; i < c.r.int(1, 4); i++) {
        const { w, out, back: own, backShape } = c.r.pick(wallets);
        const d = Math.min(c.end, ms + c.r.int(0, 29));
        if (d < c.start) continue;
        const amount = roundTo(c.r.vary(permille(salary, 150), 300, 1500), 1000);
        if (amount < 100_000) continue;
        debitTo(c, acct, d, amount, out, c.r.pick(['', 'savings', 'self', 'wallet']));
        if (c.r.chance(0.55)) {
          const bd = Math.min(c.end, d + c.r.int(1, 12));
          const backAmount = roundTo(c.r.vary(amount, 300, 1000), 500);
          const narration = [
            () => `TRF FROM ${own.name.toUpperCase()} ${w.token}`,
            () => `${w.token}/${own.name.toUpperCase()}`,
            () => fmt.transferIn(c.r, own, c.r.pick(['', 'self', 'move']), holderOf(c, acct)),
          ][backShape]();
          c.ledger.add(bd, [{ acct, dir: 'credit', amount: backAmount, narration, category: 'transfer', levy: true }], { mandatory: true });
          back += backAmount;
        }
      }
    }
    // Some move a fixed sum back from a savings wallet every month: recurring, but still their own money.
    const monthlyBack = c.r.chance(0.4);
    if (monthlyBack) {
      const { w, back: own, backShape } = wallets[0];
      const amount = roundTo(permille(salary, c.r.int(100, 300)), 5000);
      for (const d of monthlyDays(c.start, c.end, c.r.int(5, 15))) {
        const narration = [
          () => `TRF FROM ${own.name.toUpperCase()} ${w.token}`,
          () => `${w.token}/${own.name.toUpperCase()}`,
          () => fmt.transferIn(c.r, own, 'self', holderOf(c, acct)),
        ][backShape]();
        c.ledger.add(d, [{ acct, dir: 'credit', amount, narration, category: 'transfer', levy: true }], { mandatory: true });
        back += amount;
      }
    }
    Object.assign(c.params, {
      salary,
      wallets: wallets.map((x) => x.w.key).join('+'),
      walletReturns: back,
      monthlyWalletReturn: monthlyBack,
    });
    return {
      income: salary,
      obligations: 0,
      expected: HEALTHY,
      notes: 'salary at a bank; money to and from own wallets under name variants (not income)',
    };
  },

  weekly_wages(c) {
    const weekly = c.r.int(8, 45) * 1_000 * 100;
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(weekly, 500, 3000));
    const payer = party(c.r, c.r.pick(WAGE_PAYERS), c.r.pick(ALL_FORMATS));
    const wd = c.r.pick([5, 5, 6, 1]);
    const memo = c.r.pick(['WEEKLY WAGES', 'WAGES WK', 'WEEKLY PAY', 'wages']);
    const paid: number[] = [];
    for (const d of periodicDays(c.start, c.end, wd, 7)) {
      const day = wd === 6 ? d - 1 : d;
      if (day < c.start) continue;
      const amount = c.r.chance(0.2) ? weekly + c.r.naira(1000, 6000) : weekly;
      paid.push(amount);
      creditFrom(
        c,
        acct,
        day,
        amount,
        payer,
        memo.includes('WK') ? `${memo} ${Math.floor((day - dayOfYmd(ymd(day).y, 0, 1)) / 7) + 1}` : memo,
      );
    }
    addSpending(c, acct, c.start, c.end, permille(monthlyFromPeriodic(paid, 52), c.r.int(600, 900)));
    const income = monthlyFromPeriodic(paid, 52);
    if (c.r.chance(0.3)) addFamilyInflows(c, acct, c.start, c.end, c.r.int(1, 2), permille(income, 80));
    Object.assign(c.params, { weekly, weekday: wd });
    return { income, obligations: 0, expected: HEALTHY, notes: 'weekly wages; truth = mean weekly × 52/12' };
  },

  fortnightly_wages(c) {
    const pay = c.r.int(25, 160) * 1_000 * 100;
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(pay, 300, 1500));
    const payer = party(c.r, c.r.pick([...WAGE_PAYERS, ...EMPLOYERS]), c.r.pick(BANKS));
    const memo = c.r.pick(['FORTNIGHTLY PAY', 'BI-WEEKLY WAGES', 'PAY PERIOD', 'WAGES']);
    const paid: number[] = [];
    const anchor = c.start + c.r.int(0, 13);
    for (const d of periodicDays(anchor, c.end, 5, 14)) {
      paid.push(pay);
      creditFrom(c, acct, businessOnOrBefore(d), pay, payer, memo);
    }
    const income = monthlyFromPeriodic(paid, 26);
    addSpending(c, acct, c.start, c.end, permille(income, c.r.int(600, 900)));
    Object.assign(c.params, { fortnightly: pay });
    return { income, obligations: 0, expected: HEALTHY, notes: 'fortnightly wages; truth = pay × 26/12' };
  },

  gig_multi_narration(c) {
    const acct = openPrimary(c, primaryFormat(c.r), c.r.naira(5_000, 60_000));
    const platforms = c.r.sample(GIG_PAYERS, c.r.chance(0.3) ? 2 : 1);
    let totalMonthly = 0;
    for (const p of platforms) {
      const base = c.r.int(25, 140) * 1_000 * 100;
      const variants = c.r.sample(p.variants, c.r.int(2, 3));
      // Either the platform's own payout line, or an inward transfer whose sender name is one of its variants
      // (each variant a fixed sender: the platform pays from one settlement bank).
      const wrapped = c.r.chance(0.5);
      const bank = c.r.pick(BANKS);
      const senders = variants.map((name) => party(c.r, name, bank));
      const pays: number[] = [];
      for (const d of periodicDays(c.start, c.end, 1, 7)) {
        const amount = c.r.vary(base, 700, 1300);
        pays.push(amount);
        const k = c.r.int(0, variants.length - 1);
        const narration = wrapped ? fmtOf(c, acct).transferIn(c.r, senders[k], 'payout', holderOf(c, acct)) : variants[k];
        c.ledger.add(d, [{ acct, dir: 'credit', amount, narration, category: 'transfer', levy: true }], {
          mandatory: true,
          fromHour: 6,
          toHour: 11,
        });
      }
      totalMonthly += monthlyFromPeriodic(pays, 52);
      c.params[`${p.key}Weekly`] = base;
      c.params[`${p.key}Variants`] = variants.length;
    }
    addSpending(c, acct, c.start, c.end, permille(totalMonthly, c.r.int(550, 850)));
    Object.assign(c.params, { platforms: platforms.map((p) => p.key).join('+') });
    return {
      income: totalMonthly,
      obligations: 0,
      expected: HEALTHY,
      notes: 'weekly gig payouts (Mondays) under several narrations per payer; truth = mean × 52/12',
    };
  },

  salary_raise(c) {
    const before = baseSalary(c.r);
    const after = roundTo(permille(before, c.r.int(1100, 1400)), 1000);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(before, 200, 1000));
    const spec = salarySpec(c.r);
    const raiseAt = c.r.int(2, 4);
    const days = addMonthlySalary(c, acct, spec, c.start, c.end, (i) => (i >= raiseAt ? after : before));
    addSpending(c, acct, c.start, c.end, permille(before, c.r.int(600, 900)));
    Object.assign(c.params, { before, after, raiseAfterPayments: raiseAt, paymentsAtNewRate: days.length - raiseAt });
    return { income: after, obligations: 0, expected: HEALTHY, notes: `raise from ${before} to ${after}; truth = the new rate` };
  },

  employer_change(c) {
    const oldSalary = baseSalary(c.r);
    const newSalary = roundTo(permille(oldSalary, c.r.int(800, 1450)), 5000);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(oldSalary, 300, 1200));
    const oldSpec = salarySpec(c.r);
    const newSpec = { ...salarySpec(c.r), dom: c.r.int(20, 27) };
    const newPayments = c.r.int(2, 4);
    const months = monthStarts(c.start, c.end);
    // The new employer pays from `newPayments` months before the end; sometimes a month without pay in between.
    const switchMonth = months[months.length - newPayments];
    const gap = c.r.chance(0.3);
    addMonthlySalary(c, acct, oldSpec, c.start, switchMonth - 1 - (gap ? 31 : 0), () => oldSalary);
    const paid = addMonthlySalary(c, acct, newSpec, switchMonth, c.end, () => newSalary);
    addSpending(c, acct, c.start, c.end, permille(Math.min(oldSalary, newSalary), c.r.int(600, 850)));
    Object.assign(c.params, { oldSalary, newSalary, newEmployerPayments: paid.length, gapMonth: gap });
    return {
      income: newSalary,
      obligations: 0,
      expected: paid.length >= 3 ? HEALTHY : ['approve', 'refer'],
      notes: `employer change; truth = new employer's ${newSalary}/month (${paid.length} payments)`,
    };
  },

  pension(c) {
    const pension = c.r.int(6, 50) * 5_000 * 100;
    const acct = openPrimary(c, c.r.pick(BANKS), c.r.vary(pension, 300, 2000));
    const pfa = party(c.r, c.r.pick(PFAS), c.r.pick(BANKS));
    const dom = c.r.pick([20, 24, 25, 27, 28]);
    const fmt = fmtOf(c, acct);
    const shape = c.r.int(0, 2);
    for (const d of monthlyDays(c.start, c.end, dom)) {
      const { y, m } = ymd(d);
      const narration = [
        () => fmt.transferIn(c.r, pfa, `PENSION ${MONTHS[m]} ${y}`, holderOf(c, acct)),
        () => `${pfa.name} MONTHLY PENSION ${MONTHS[m]}${String(y).slice(2)}`,
        () => `PW/${pfa.name}/PENSION PAYMENT/${MONTHS[m]}`,
      ][shape]();
      c.ledger.add(d, [{ acct, dir: 'credit', amount: pension, narration, category: 'transfer', levy: true }], {
        mandatory: true,
        fromHour: 6,
        toHour: 12,
      });
    }
    addSpending(c, acct, c.start, c.end, permille(pension, c.r.int(500, 850)));
    const family = c.r.chance(0.5);
    if (family) addFamilyInflows(c, acct, c.start, c.end, c.r.int(1, 3), permille(pension, c.r.int(100, 300)));
    Object.assign(c.params, { pension, pensionDay: dom, childrenSendMoney: family });
    return { income: pension, obligations: 0, expected: HEALTHY, notes: 'monthly pension; children’s transfers are not income' };
  },

  trader(c) {
    const fmt = c.r.pick([MONIEPOINT, MONIEPOINT, OPAY, ...BANKS]);
    const monthlyTurnover = c.r.int(30, 300) * 10_000 * 100;
    const acct = openPrimary(c, fmt, c.r.vary(monthlyTurnover, 100, 400));
    const customers = Array.from({ length: c.r.int(30, 160) }, () => party(c.r, otherPerson(c.r)));
    const posShare = c.r.int(0, 600);
    const tid = `2${fmt.token.slice(0, 3)}${c.r.digits(5)}`;
    const perMonth = new Map<string, number>();
    const addBiz = (d: number, amount: number): void => {
      const k = isoDate(d).slice(0, 7);
      perMonth.set(k, (perMonth.get(k) ?? 0) + amount);
    };
    for (let d = c.start; d <= c.end; d++) {
      if (weekday(d) === 0 && c.r.chance(0.7)) continue;
      const dayTurnover = c.r.vary(Math.floor(monthlyTurnover / 26), 400, 1600);
      const posPart = permille(dayTurnover, posShare);
      if (posPart >= 100_000) {
        const { m, d: dd } = ymd(d);
        c.ledger.add(
          d,
          [
            {
              acct,
              dir: 'credit',
              amount: nairaDown(posPart),
              narration: fmt.posSettlement(c.r, tid, `${String(dd).padStart(2, '0')}/${String(m + 1).padStart(2, '0')}`),
              category: 'transfer',
            },
          ],
          { mandatory: true, fromHour: 19, toHour: 21 },
        );
        addBiz(d, nairaDown(posPart));
      }
      let rest = dayTurnover - posPart;
      while (rest >= 100_000) {
        const amount = Math.min(rest, roundTo(c.r.vary(Math.floor(monthlyTurnover / 26 / 4), 200, 2500), 100));
        if (amount < 50_000) break;
        creditFrom(c, acct, d, amount, c.r.pick(customers), c.r.pick(CUSTOMER_MEMOS));
        addBiz(d, amount);
        rest -= amount;
      }
    }
    // Restocking: suppliers paid every few days, ~75% of turnover.
    const suppliers = c.r.sample(SUPPLIERS, c.r.int(2, 4)).map((s) => party(c.r, s, c.r.pick(BANKS)));
    for (let d = c.start + 2; d <= c.end; d += c.r.int(3, 6))
      debitTo(
        c,
        acct,
        d,
        roundTo(c.r.vary(Math.floor((monthlyTurnover * 3) / 4 / 7), 600, 1400), 1000),
        c.r.pick(suppliers),
        c.r.pick(['goods', 'supply', 'restock', '']),
      );
    addSpending(c, acct, c.start, c.end, permille(monthlyTurnover, 120));
    // Truth: median of the complete months' customer inflow.
    const complete = monthStarts(c.start, c.end).filter((ms) => ms >= c.start && monthEndDay(ms) <= c.end && monthEndDay(ms) < c.asOfDay);
    const vals = complete.map((ms) => perMonth.get(isoDate(ms).slice(0, 7)) ?? 0).sort((a, b) => a - b);
    const median =
      vals.length === 0
        ? 0
        : vals.length % 2
          ? vals[(vals.length - 1) / 2]
          : Math.floor((vals[vals.length / 2 - 1] + vals[vals.length / 2]) / 2);
    Object.assign(c.params, { monthlyTurnover, customers: customers.length, posSharePermille: posShare, bank: fmt.key });
    return {
      income: median,
      obligations: 0,
      expected: ['approve', 'refer'],
      notes: 'trader: many customers + POS settlements; truth = median monthly customer inflow',
    };
  },

  loan_stacker(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(salary, 100, 600));
    salariedBase(c, acct, salary, { spendPermille: c.r.int(500, 750) });
    const lenders = c.r.sample(LENDERS, c.r.int(3, 5));
    let obligations = 0;
    for (const l of lenders) {
      const principal = roundTo(c.r.vary(permille(salary, c.r.int(150, 600)), 800, 1200), 5000);
      const weekly = c.r.chance(0.3);
      const disburse = c.asOfDay - c.r.int(weekly ? 10 : 20, 80);
      const period = weekly ? 7 : 30;
      // The schedule runs past asOf, so every loan is still being repaid.
      const n = Math.ceil((c.asOfDay - disburse) / period) + c.r.int(1, weekly ? 8 : 3);
      const days = Array.from({ length: n }, (_, k) => disburse + (k + 1) * period);
      const repayment = addLoan(c, acct, l, disburse, principal, days, n, c.r.int(1150, 1350));
      obligations += weekly ? new Decimal(repayment).mul(52).div(12).floor().toNumber() : repayment;
    }
    Object.assign(c.params, { salary, lenders: lenders.map((l) => l.key).join('+') });
    return { income: salary, obligations, expected: REVIEW, notes: `${lenders.length} digital lenders disbursing in the last 90 days` };
  },

  one_off_loan(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(salary, 200, 900));
    const spec = salariedBase(c, acct, salary);
    const l = c.r.pick(LENDERS);
    const principal = roundTo(permille(salary, c.r.int(300, 900)), 5000);
    const disburse = c.asOfDay - c.r.int(60, 140);
    // Repaid the day after each payday (the lender's direct debit), with the schedule running past asOf.
    const repayDays = monthlyDays(disburse + 1, c.asOfDay + 400, spec.dom).map((d) => d + 1);
    const payments = repayDays.filter((d) => d < c.asOfDay).length + c.r.int(1, 4);
    const repayment = addLoan(c, acct, l, disburse, principal, repayDays.slice(0, payments), payments, c.r.int(1150, 1300));
    Object.assign(c.params, { salary, lender: l.key, principal, repayment });
    // Existing repayments above the CBN 33⅓% cap already leave no room: an analyst declines (or reviews).
    const overCap = repayment * 3 > salary;
    return {
      income: salary,
      obligations: repayment,
      expected: overCap ? ['decline', 'refer'] : HEALTHY,
      notes: `one loan being repaid monthly${overCap ? ' (repayment above a third of salary)' : ''}; disbursement is not income`,
    };
  },

  job_loss(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(salary, 200, 800));
    const spec = salarySpec(c.r);
    const monthsAgo = c.r.int(1, 2);
    const { y, m } = ymd(c.asOfDay);
    const cutoff = dayOfYmd(y, m - monthsAgo, 1) - 1;
    const paid = addMonthlySalary(c, acct, spec, c.start, cutoff, () => salary);
    addSpending(c, acct, c.start, cutoff, permille(salary, c.r.int(600, 850)));
    addSpending(c, acct, cutoff + 1, c.end, permille(salary, c.r.int(250, 450)));
    if (c.r.chance(0.6)) addFamilyInflows(c, acct, cutoff + 1, c.end, c.r.int(1, 4), permille(salary, c.r.int(150, 400)));
    Object.assign(c.params, { salary, lastSalary: paid.length ? isoDate(paid[paid.length - 1]) : '', missedMonths: monthsAgo });
    return { income: 0, obligations: 0, expected: REVIEW, notes: `salary stopped ${monthsAgo} month(s) before asOf`, requestBasis: salary };
  },

  chronic_overdraft(c) {
    const salary = baseSalary(c.r);
    const od = permille(salary, c.r.int(1500, 2500));
    const opening = -permille(salary, c.r.int(1050, 1500));
    const acct = openPrimary(c, c.r.pick(BANKS), opening, -od);
    salariedBase(c, acct, salary, { spendPermille: c.r.int(1100, 1300) });
    Object.assign(c.params, { salary, overdraftLimit: od });
    return {
      income: salary,
      obligations: 0,
      expected: REVIEW,
      notes: 'overdrawn most days of the window',
      finalize: (accounts) => {
        const neg = negativeDays(accounts[acct], c.asOfDay, 90, opening);
        c.params.negativeDays90 = neg;
        // Chronic means overdrawn on more than half the last 90 days; otherwise an analyst would not insist on review.
        return neg > 45
          ? { notes: `overdrawn on ${neg} of the last 90 days` }
          : { expected: ['approve', 'refer'], notes: `overdrawn on only ${neg} of 90 days` };
      },
    };
  },

  multi_account_sweep(c) {
    const salary = baseSalary(c.r);
    const salaryFmt = c.r.pick(BANKS);
    const a = openPrimary(c, salaryFmt, c.r.naira(2_000, 30_000));
    const secondFmt = c.r.pick([...ALL_FORMATS.filter((f) => f !== salaryFmt)]);
    const b = c.ledger.addAccount(
      secondFmt,
      secondFmt.holderName(c.holder.first, c.holder.middle, c.holder.surname),
      c.r.vary(salary, 200, 800),
    );
    const third = c.r.chance(0.4) ? c.r.pick(WALLETS.filter((w) => w !== secondFmt)) : null;
    const cAcct = third
      ? c.ledger.addAccount(third, third.holderName(c.holder.first, c.holder.middle, c.holder.surname), c.r.naira(1_000, 20_000))
      : null;
    const spec = salarySpec(c.r);
    const sweepPm = c.r.int(750, 1000);
    const days = addMonthlySalary(c, a, spec, c.start, c.end, () => salary);
    const accounts = c.ledger.accounts;
    const own = (bank: BankFormat, acctNo: string): Party => ({ ...party(c.r, holderVariant(c.r, c.holder), bank), accountNumber: acctNo });
    const toB = own(secondFmt, accounts[b].number);
    const fromA = own(salaryFmt, accounts[a].number);
    const toC = cAcct !== null && third ? own(third, accounts[cAcct].number) : null;
    const fromB = own(secondFmt, accounts[b].number);
    for (const d of days) {
      const sd = Math.min(c.end, d + c.r.int(0, 1));
      const amount = roundTo(permille(salary, sweepPm), 1000);
      c.ledger.add(
        sd,
        [
          {
            acct: a,
            dir: 'debit',
            amount,
            narration: salaryFmt.transferOut(c.r, toB, c.r.pick(['', 'self', 'savings']), holderOf(c, a)),
            category: 'transfer',
            fee: true,
          },
          {
            acct: b,
            dir: 'credit',
            amount,
            narration: secondFmt.transferIn(c.r, fromA, '', holderOf(c, b)),
            category: 'transfer',
            levy: true,
          },
        ],
        { mandatory: true, fromHour: 13, toHour: 21 },
      );
      if (cAcct !== null && third && toC) {
        const save = roundTo(permille(salary, c.r.int(50, 150)), 1000);
        c.ledger.add(Math.min(c.end, sd + c.r.int(1, 4)), [
          {
            acct: b,
            dir: 'debit',
            amount: save,
            narration: secondFmt.transferOut(c.r, toC, 'savings', holderOf(c, b)),
            category: 'transfer',
            fee: true,
          },
          {
            acct: cAcct,
            dir: 'credit',
            amount: save,
            narration: third.transferIn(c.r, fromB, '', holderOf(c, cAcct)),
            category: 'transfer',
            levy: true,
          },
        ]);
      }
    }
    addSpending(c, a, c.start, c.end, permille(salary, 1000 - sweepPm + 30));
    addSpending(c, b, c.start, c.end, permille(salary, c.r.int(550, 800)));
    Object.assign(c.params, {
      salary,
      accounts: cAcct === null ? 2 : 3,
      sweepPermille: sweepPm,
      second: secondFmt.key,
      third: third?.key ?? '',
    });
    return {
      income: salary,
      obligations: 0,
      expected: HEALTHY,
      notes: 'salary swept to own second account each month (not a pass-through)',
    };
  },

  thin_file(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.naira(1_000, 20_000));
    salariedBase(c, acct, salary);
    Object.assign(c.params, { salary, historyDays: c.end - c.start + 1 });
    return { income: salary, obligations: 0, expected: REVIEW, notes: 'fewer than 3 complete months of history' };
  },

  gambler(c) {
    const salary = baseSalary(c.r);
    const acct = openPrimary(c, primaryFormat(c.r), c.r.vary(salary, 200, 800));
    const stakePm = c.r.int(80, 450);
    salariedBase(c, acct, salary, { spendPermille: c.r.int(400, Math.max(450, 900 - stakePm)) });
    const book = c.r.pick(BOOKMAKERS);
    let stakes = 0;
    for (const ms of monthStarts(c.start, c.end)) {
      const n = c.r.int(4, 14);
      for (let i = 0; i < n; i++) {
        const d = ms + c.r.int(0, 28);
        if (d < c.start || d > c.end) continue;
        const amount = roundTo(c.r.vary(Math.floor(permille(salary, stakePm) / n), 400, 1600), 100);
        if (amount < 10_000) continue;
        c.ledger.add(d, [{ acct, dir: 'debit', amount, narration: c.r.pick(book.stake), category: 'gaming' }], { mandatory: true });
        stakes += amount;
        if (c.r.chance(0.25)) {
          const win = roundTo(c.r.vary(amount, 500, 4000), 100);
          c.ledger.add(
            Math.min(c.end, d + c.r.int(0, 3)),
            [{ acct, dir: 'credit', amount: win, narration: c.r.pick(book.payout), category: 'gaming', levy: true }],
            { mandatory: true },
          );
        }
      }
    }
    Object.assign(c.params, { salary, stakePermille: stakePm, stakesTotal: stakes });
    return { income: salary, obligations: 0, expected: REVIEW, notes: `betting stakes ≈ ${stakePm / 10}% of salary` };
  },
};

// ---------------------------------------------------------------------------------------------------------------

function generateBorrower(seed: number, index: number, asOf: string): PopulationBorrower {
  const r = new Rng(mix(seed, index));
  const archetype = ARCHETYPES[index % ARCHETYPES.length];
  const asOfDay = toDay(asOf);
  const { y, m } = ymd(asOfDay);
  const end = asOfDay - 1;
  // Six complete months before asOf's month, or a short history for thin files.
  const start = archetype === 'thin_file' ? asOfDay - r.int(35, 80) : dayOfYmd(y, m - 6, 1);
  const holder = makeHolder(r);
  const ledger = new Ledger(r);
  const params: Record<string, number | string | boolean> = {};
  const c: Ctx = { r, ledger, holder, start, end, asOfDay, params };
  const built = builders[archetype](c);
  // Opening row on the first day (so the history visibly starts there) and upkeep on every account.
  for (let acct = 0; acct < ledger.accounts.length; acct++) {
    const fmt = ledger.accounts[acct].fmt;
    ledger.add(
      start,
      [
        {
          acct,
          dir: 'debit',
          amount: r.pick([10_000, 20_000, 50_000]),
          narration: fmt.airtime(r, r.pick(NETWORKS), phone(r)),
          category: 'airtime',
        },
      ],
      { mandatory: true },
    );
  }
  addAccountUpkeep(c);
  ledger.run();
  Object.assign(built, built.finalize?.(ledger.accounts) ?? {});
  const applicantName = r.chance(0.5) ? fullName(holder) : `${holder.first} ${holder.surname}`;
  const basis = built.requestBasis ?? built.income ?? 0;
  const headroom = Math.max(60, Math.min(200, basis > 0 ? 300 - Math.floor((built.obligations * 1000) / basis) : 150));
  const requestedLoan = r.chance(0.85) && basis > 0 ? requestFor(r, basis, r.int(50, headroom)) : undefined;
  return {
    id: `pop-${seed}-${String(index).padStart(4, '0')}`,
    archetype,
    params,
    applicantName,
    exports: ledger.exports(r.digits(11)),
    ...(requestedLoan ? { requestedLoan } : {}),
    truth: {
      monthlyIncomeMinor: built.income,
      obligationsMonthlyMinor: built.obligations,
      expectedDecisions: built.expected,
      notes: built.notes,
    },
  };
}

/** `count` borrowers, archetypes in rotation (every archetype appears once per 16 borrowers). */
export function generatePopulation(opts: GenerateOptions): PopulationBorrower[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new Error(`asOf must be YYYY-MM-DD, got ${opts.asOf}`);
  if (!Number.isSafeInteger(opts.count) || opts.count < 0) throw new Error(`count must be a non-negative integer, got ${opts.count}`);
  return Array.from({ length: opts.count }, (_, i) => generateBorrower(opts.seed, i, opts.asOf));
}
