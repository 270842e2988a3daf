/**
 * Everyday Nigerian current-account noise shared by every persona: airtime, POS and web purchases, ATM cash, bank
 * charges (SMS alerts, maintenance + VAT, NIP fees), utilities, rent, transfers to and from family, reversals,
 * own-wallet moves, interest and the occasional cash deposit with stamp duty. EMTL is added by the ledger itself.
 */
import { addDays } from '../../ingestion/normalise/lagos-date.js';
import type { Bank } from './identity.js';
import { BANKS } from './identity.js';
import type { LedgerPlan, PlannedEvent } from './ledger.js';
import type { Rng } from './prng.js';
import type { PersonaIdentity } from './types.js';

export const MONTH_ABBR = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export interface NoiseContext {
  plan: LedgerPlan;
  rng: Rng;
  account: number;
  identity: PersonaIdentity;
  bank: Bank;
  /** Business dates with history, oldest first. */
  days: readonly string[];
  /** Scales the number of discretionary rows (1 = typical salaried adult). */
  intensity: number;
  /** Monthly rent paid by transfer (0 = pays rent yearly or lives with family). */
  monthlyRentMinor: number;
  /** Yearly rent, paid in one transfer (the Nigerian norm), when there is no monthly rent. Skipped if unaffordable. */
  annualRentMinor?: number;
  /** Returns the holder's name as another bank would print it. */
  nameVariant: () => string;
  /** Draws a stranger's name (never the holder's surname). */
  strangerName: (rng: Rng) => string;
  /** Light noise only (a secondary wallet-like account). */
  light?: boolean;
}

const NETWORKS = ['MTN', 'AIRTEL', 'GLO', '9MOBILE'];
const MERCHANTS = [
  'SHOPRITE',
  'SPAR',
  'CHICKEN REPUBLIC',
  'TOTAL ENERGIES',
  'MRS FILLING STATION',
  'CONOIL',
  'KILIMANJARO',
  'DOMINOS PIZZA',
  'HEALTHPLUS PHARMACY',
  'PRINCE EBEANO SUPERMARKET',
  'JUSTRITE SUPERMARKET',
  'MEDPLUS',
  'ENYO FILLING STN',
  'COLDSTONE',
];
const PLACES: ReadonlyArray<[string, string]> = [
  ['LEKKI', 'LA'],
  ['IKEJA', 'LA'],
  ['YABA', 'LA'],
  ['SURULERE', 'LA'],
  ['WUSE', 'FC'],
  ['GARKI', 'FC'],
  ['ENUGU', 'EN'],
  ['IBADAN', 'OY'],
];
const WEB = ['JUMIA NG LAGOS', 'NETFLIX.COM', 'SPOTIFY', 'BOLT.EU RIDE', 'APPLE.COM/BILL', 'KONGA ONLINE', 'GOOGLE *YOUTUBE'];
const OUT_MEMOS = [
  'upkeep',
  'for foodstuff',
  'school fees',
  'esusu contribution',
  'family support',
  'transport',
  'church dues',
  'tailor balance',
  'generator repair',
  'hair',
  'aso ebi',
];
const IN_MEMOS = ['upkeep', 'birthday', 'for you', 'balance', 'contribution', 'thank you'];

function daytime(rng: Rng): number {
  return rng.int(7 * 3600, 22 * 3600);
}

function phone(identity: PersonaIdentity): string {
  return identity.phone;
}

function posNarration(rng: Rng): string {
  const [city, state] = rng.pick(PLACES);
  const merchant = rng.pick(MERCHANTS);
  const terminal = `${rng.int(2011, 2099)}${state}${rng.digits(2)}`;
  return rng.chance(0.6) ? `VC POS Loc-${terminal}--${merchant} ${city} ${state} NG` : `MC Loc POS Prch-${terminal}-${merchant} ${city} NG`;
}

function transferOutNarration(rng: Rng, name: string): string {
  const bank = rng.pick(BANKS).short;
  const style = rng.int(0, 3);
  if (style === 0) return `MOB TRF TO ${name} ${rng.digits(10)}`;
  if (style === 1) return `*737*1*${rng.int(1, 9)}000*${rng.digits(10)}# USSD TRF ${name}`;
  return `NIP/${bank}/${name}/${rng.pick(OUT_MEMOS)}`;
}

function transferInNarration(rng: Rng, name: string): string {
  const style = rng.int(0, 2);
  if (style === 0) return `${rng.digits(30)} NIP TRANSFER FROM ${name}`;
  if (style === 1) return `TRANSFER FROM ${name}`;
  return `NIP/${rng.pick(BANKS).short}/${name}/${rng.pick(IN_MEMOS)}`;
}

/** NIP fee + VAT after an outbound transfer (same instant, forced: the bank always takes it). */
function nipFee(ctx: NoiseContext, instant: string, after: PlannedEvent): void {
  ctx.plan.debit(ctx.account, instant, 1_075, 'NIP TRANSFER CHARGE', { category: 'bank_charges' }, { requires: after });
  ctx.plan.debit(ctx.account, instant, 81, 'VAT ON NIP CHARGE', { category: 'bank_charges' }, { requires: after });
}

export function transferOut(
  ctx: NoiseContext,
  date: string,
  amountMinor: number,
  narration: string,
  truth: PlannedEvent['truth'],
): PlannedEvent {
  const instant = ctx.plan.at(date, daytime(ctx.rng));
  const event = ctx.plan.debit(ctx.account, instant, amountMinor, narration, truth);
  nipFee(ctx, instant, event);
  return event;
}

function dailyNoise(ctx: NoiseContext, date: string): void {
  const { rng, plan, account } = ctx;
  const k = ctx.intensity;
  if (rng.chance(0.18 * k)) {
    const net = rng.pick(NETWORKS);
    const narration = rng.chance(0.6) ? `Airtime//${phone(ctx.identity)}//${net}` : `AIRTIME VTU ${net} ${phone(ctx.identity)}`;
    plan.debit(account, plan.at(date, daytime(rng)), rng.naira(100, 3000, 100), narration, { category: 'airtime_data' });
  }
  if (ctx.light) return;
  if (rng.chance(0.3 * k))
    plan.debit(account, plan.at(date, daytime(rng)), rng.naira(1500, 35000), posNarration(rng), { category: 'card_pos' });
  if (rng.chance(0.04 * k))
    plan.debit(account, plan.at(date, daytime(rng)), rng.naira(2000, 25000), `WEB PURCHASE ${rng.pick(WEB)}`, { category: 'card_pos' });
  if (rng.chance(0.07 * k)) {
    const instant = plan.at(date, daytime(rng));
    const narration = rng.chance(0.5)
      ? `ATM WDL @ ${rng.digits(5)} ${rng.pick(BANKS).short} ${rng.pick(PLACES)[0]}`
      : `CASH WITHDRAWAL FROM ATM ${rng.digits(8)}`;
    const wd = plan.debit(account, instant, rng.naira(5000, 40000, 1000), narration, { category: 'cash_withdrawal' });
    if (rng.chance(0.4)) plan.debit(account, instant, 3_500, 'ATM WITHDRAWAL FEE', { category: 'bank_charges' }, { requires: wd });
  }
  if (rng.chance(0.1 * k))
    transferOut(ctx, date, rng.naira(2000, 30000), transferOutNarration(rng, ctx.strangerName(rng)), {
      category: 'transfer_out',
    });
  if (rng.chance(0.04 * k)) {
    plan.credit(
      account,
      plan.at(date, daytime(rng)),
      rng.naira(2000, 40000),
      transferInNarration(rng, ctx.strangerName(rng)),
      { category: 'transfer_in' },
    );
  }
}

function monthlyNoise(ctx: NoiseContext, monthDays: readonly string[], landlord: string): void {
  const { rng, plan, account } = ctx;
  const month = monthDays[0].slice(0, 7);
  const mon = MONTH_ABBR[Number(month.slice(5, 7)) - 1];
  const yyyy = month.slice(0, 4);
  const last = monthDays[monthDays.length - 1];
  const lastOfMonth = monthDays.length >= 28;
  if (ctx.light) return;
  if (lastOfMonth) {
    plan.debit(account, plan.at(last, 23 * 3600), rng.int(30, 120) * 400, `SMS ALERT CHARGES ${mon} ${yyyy}`, { category: 'bank_charges' });
    const fee = rng.pick([5_000, 10_000, 15_000]);
    plan.debit(account, plan.at(last, 23 * 3600 + 60), fee, `ACCOUNT MAINTENANCE FEE ${mon} ${yyyy}`, { category: 'bank_charges' });
    plan.debit(account, plan.at(last, 23 * 3600 + 60), Math.round((fee * 75) / 1000), `VAT ON MAINTENANCE FEE ${mon} ${yyyy}`, {
      category: 'bank_charges',
    });
  }
  const pick = (from: number, to: number): string | undefined => monthDays[Math.min(monthDays.length - 1, rng.int(from, to))];
  const utilityDay = pick(3, 20);
  if (utilityDay !== undefined && rng.chance(0.9)) {
    const disco = rng.pick(['IKEDC', 'EKEDC', 'AEDC', 'IBEDC']);
    plan.debit(account, plan.at(utilityDay, daytime(rng)), rng.naira(5000, 25000, 500), `${disco} PREPAID ${rng.digits(11)} TOKEN`, {
      category: 'utilities',
    });
  }
  const tvDay = pick(0, 10);
  if (tvDay !== undefined && rng.chance(0.75)) {
    const narration = rng.pick([
      `QT BILLS/DSTV COMPACT ${rng.digits(10)}`,
      `GOTV MAX SUBSCRIPTION ${rng.digits(10)}`,
      `STARTIMES BASIC ${rng.digits(11)}`,
    ]);
    plan.debit(account, plan.at(tvDay, daytime(rng)), rng.pick([4_900_00, 8_300_00, 15_700_00]), narration, { category: 'utilities' });
  }
  const rentDay = pick(0, 4);
  if (ctx.monthlyRentMinor > 0 && rentDay !== undefined) {
    transferOut(ctx, rentDay, ctx.monthlyRentMinor, `NIP/${rng.pick(BANKS).short}/${landlord}/HOUSE RENT ${mon} ${yyyy}`, {
      category: 'rent',
    });
  }
  const walletDay = pick(1, 27);
  if (walletDay !== undefined && rng.chance(0.6)) ownWallet(ctx, walletDay);
  const reversalDay = pick(2, 22);
  if (reversalDay !== undefined && rng.chance(0.45)) reversal(ctx, reversalDay);
  if (Number(month.slice(5, 7)) % 3 === 0 && lastOfMonth) {
    plan.credit(
      account,
      plan.at(last, 22 * 3600),
      rng.int(500, 30000),
      `CREDIT INTEREST ${mon} ${yyyy}`,
      { category: 'interest' },
      { electronic: false },
    );
  }
  const depositDay = pick(5, 25);
  if (depositDay !== undefined && rng.chance(0.25)) {
    const instant = plan.at(depositDay, rng.int(9 * 3600, 15 * 3600));
    const amount = rng.naira(10000, 60000, 1000);
    const deposit = plan.credit(
      account,
      instant,
      amount,
      `CASH DEPOSIT BY ${ctx.identity.first_name.toUpperCase()} ${ctx.identity.last_name.toUpperCase()}`,
      { category: 'cash_deposit' },
      { electronic: false },
    );
    plan.debit(
      account,
      instant,
      5_000,
      `FGN STAMP DUTY ${depositDay.replaceAll('-', '')}`,
      { category: 'bank_charges' },
      { requires: deposit },
    );
  }
}

/** Money to the holder's own OPay/PalmPay wallet, sometimes back again. */
function ownWallet(ctx: NoiseContext, date: string): void {
  const { rng, plan, account } = ctx;
  const wallet = rng.pick(['OPAY', 'PALMPAY']);
  if (rng.chance(0.3)) {
    plan.debit(account, plan.at(date, daytime(rng)), rng.naira(2000, 20000, 500), `${wallet} WALLET TOP UP ${rng.digits(12)}`, {
      category: 'self_transfer',
    });
    return;
  }
  const amount = rng.naira(5000, 50000, 500);
  transferOut(ctx, date, amount, `NIP/${wallet}/${ctx.nameVariant()}/savings`, { category: 'self_transfer' });
  if (rng.chance(0.3)) {
    const back = addDays(date, rng.int(3, 9));
    plan.credit(account, plan.at(back, daytime(rng)), rng.naira(5000, 30000, 500), `NIP/${wallet}/${ctx.nameVariant()}/`, {
      category: 'self_transfer',
    });
  }
}

/** A purchase or transfer that the bank reverses 1–3 days later; both legs are `reversal` in truth. */
function reversal(ctx: NoiseContext, date: string): void {
  const { rng, plan, account } = ctx;
  const back = plan.at(addDays(date, rng.int(1, 3)), daytime(rng));
  if (rng.chance(0.5)) {
    const narration = posNarration(rng);
    const debit = plan.debit(account, plan.at(date, daytime(rng)), rng.naira(2000, 30000), narration, { category: 'reversal' });
    plan.credit(
      account,
      back,
      debit.amountMinor,
      `${rng.pick(['REVERSAL: ', 'RVSL ', 'REV-'])}${narration}`,
      { category: 'reversal' },
      { electronic: false, requires: debit },
    );
    return;
  }
  const ref = rng.digits(12);
  const name = ctx.strangerName(rng);
  const debit = transferOut(ctx, date, rng.naira(3000, 40000), `NIP/${rng.pick(BANKS).short}/${name}/${rng.pick(OUT_MEMOS)} ${ref}`, {
    category: 'reversal',
  });
  plan.credit(
    account,
    back,
    debit.amountMinor,
    `RVSL/${ref}/NIP/${name}`,
    { category: 'reversal' },
    { electronic: false, requires: debit },
  );
}

export function addEverydayNoise(ctx: NoiseContext): void {
  const landlord = `ALHAJI ${ctx.strangerName(ctx.rng)}`;
  if (ctx.monthlyRentMinor === 0 && (ctx.annualRentMinor ?? 0) > 0 && ctx.days.length > 60) {
    const day = ctx.days[ctx.rng.int(30, ctx.days.length - 20)];
    const year = Number(day.slice(0, 4));
    transferOut(ctx, day, ctx.annualRentMinor ?? 0, `NIP/${ctx.rng.pick(BANKS).short}/${landlord}/RENT ${year}/${year + 1}`, {
      category: 'rent',
    });
  }
  const byMonth = new Map<string, string[]>();
  for (const day of ctx.days) {
    dailyNoise(ctx, day);
    byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
  }
  for (const monthDays of byMonth.values()) monthlyNoise(ctx, monthDays, landlord);
}
