/**
 * Is a counterparty key an individual's name, a business, or neither? Pure and memoised (keys repeat).
 *
 * Used by the income policy (person-to-person credits, docs/scoring.md "Person-to-person credits"). The test is
 * deliberately conservative about "person": a key is a person only when, after bank, wallet and rail words are
 * set aside, it is 2–4 alphabetic tokens and none of them is a business or descriptive word. Anything with a
 * company word (LTD, VENTURES, SCHOOL, PAYOUT, …) is a business; everything else (one word, digits, too many
 * words, descriptions such as CASH DEPOSIT) is unknown, and unknown credits are treated as before.
 */
export type CounterpartyKind = 'person' | 'business' | 'unknown';

function words(text: string): ReadonlySet<string> {
  return new Set(text.split(/\s+/).filter((w) => w.length > 0));
}

/** Words that make a name a business's (legal forms, trades, institutions, payout/settlement wording, brands). */
const BUSINESS_WORDS: ReadonlySet<string> = words(`
  LTD LIMITED PLC INC LLC LLP CORP CORPORATION COMPANY CO GMBH BV
  ENTERPRISE ENTERPRISES VENTURE VENTURES NIG NIGERIA NIGERIAN GLOBAL INT INTL INTERNATIONAL
  CONCEPT CONCEPTS GROUP HOLDINGS HOLDING INDUSTRIES INDUSTRY INVESTMENT INVESTMENTS PARTNERS
  ASSOCIATES RESOURCES SOLUTIONS SYSTEMS SERVICES SERVICE TECHNOLOGIES TECHNOLOGY TECH NETWORK
  NETWORKS CONSULT CONSULTING CONSULTANTS TRADING TRADERS IMPEX AGRO LOGISTICS INTEGRATED
  NATIONAL WORLDWIDE AFRICA AFRICAN
  STORES STORE SHOP SUPERMARKET MARKET MART MALL FOODS FOOD FARMS FARM MOTORS AUTOS
  KITCHEN RESTAURANT EATERY BAKERY HOTEL HOTELS SUITES LOUNGE SALON FASHION FASHIONS
  COSMETICS GADGETS ELECTRONICS PHONES PRINTS PRINTING TRAVELS TOURS PHARMACY PHARMA
  PHARMACEUTICAL PHARMACEUTICALS LABS STUDIO STUDIOS MEDIA COMMUNICATIONS TELECOM TELECOMS
  PROPERTIES PROPERTY REALTY ESTATE ESTATES CONSTRUCTION ENGINEERING ENERGY OIL GAS PETROLEUM
  TRANSPORT EXPRESS COURIER DISTRIBUTORS SUPPLIES MERCHANT MERCHANTS
  SCHOOL SCHOOLS ACADEMY COLLEGE UNIVERSITY POLYTECHNIC INSTITUTE CHURCH MINISTRY MINISTRIES
  MOSQUE PARISH CHAPEL HOSPITAL CLINIC MEDICAL GOVERNMENT FEDERAL STATE COMMISSION AGENCY
  AUTHORITY BOARD COUNCIL FOUNDATION TRUST FUND SOCIETY ASSOCIATION COOPERATIVE COOP CLUB
  INSURANCE ASSURANCE CAPITAL FINANCE FINANCIAL MICROFINANCE MFB BANK PENSION PENSIONS
  PFA ASSET ASSETS MANAGEMENT
  PAYOUT PAYOUTS SETTLEMENT SETTLEMENTS PAYROLL PAYSTACK FLUTTERWAVE INTERSWITCH REMITA MONNIFY
  BOLT UBER INDRIVE GLOVO CHOWDECK GOKADA JUMIA KONGA MTN AIRTEL GLO DSTV MULTICHOICE
`);

/** Bank, wallet and rail words that appear beside a name in a key (set aside, neither name nor business). */
const CONTEXT_WORDS: ReadonlySet<string> = words(`
  OPAY KUDA PALMPAY MONIEPOINT MONIE POINT CARBON VFD PAGA CHIPPER ALAT WEMA GTB
  GTBANK GUARANTY ZENITH ACCESS UBA FIRST FBN FIDELITY UNION STERLING STANBIC IBTC FCMB
  ECOBANK ECO KEYSTONE POLARIS PROVIDUS HERITAGE UNITY JAIZ TITAN GLOBUS PREMIUM SUNTRUST
  PARALLEX OPTIMUS TAJ LOTUS NIP NIBSS TRF TRANSFER FROM TO FT MOB CR DR INWARD
  OUTWARD REF VIA USSD WEB POS CREDIT DEBIT FOR THE AND OF IFO BO MR MRS MS FRM KIP
  MISS ENGR CHIEF ALHAJI ALHAJA PASTOR PROF JNR JR SNR SR GIFT SUPPORT UPKEEP FAMILY BIRTHDAY
`);

/** Descriptive words: a key holding one is a description of the payment, not a name. */
const DESCRIPTIVE_WORDS: ReadonlySet<string> = words(`
  CASH DEPOSIT DEPOSITS WITHDRAWAL AIRTIME DATA REFUND REVERSAL REVERSED LOAN BET BETTING
  ATM CHARGE CHARGES FEE FEES COMMISSION VAT LEVY STAMP DUTY INTEREST UNKNOWN ACCOUNT
  CUSTOMER WALLET PAYMENT PAYMENTS BILLS BILL SALARY SAL WAGES ALLOWANCE BONUS DIVIDEND
  RENT SAVINGS TARGET MOBILE INTERNET ONLINE BANKING
  APP CARD VISA MASTERCARD VERVE PURCHASE SETTLE BULK BATCH REQUEST INSTANT NEFT RTGS
`);

const cache = new Map<string, CounterpartyKind>();

/** Classifies a counterparty key (upper case; anything other than letters and digits separates tokens). */
export function counterpartyKind(key: string): CounterpartyKind {
  let v = cache.get(key);
  if (v === undefined) {
    v = classify(key);
    if (cache.size > 20_000) cache.clear();
    cache.set(key, v);
  }
  return v;
}

const rawCache = new Map<string, boolean>();

/** Whether a raw text (a counterparty as the bank printed it, or a narration) holds a business word. Memoised. */
export function hasBusinessWord(text: string): boolean {
  let v = rawCache.get(text);
  if (v === undefined) {
    v = text
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .some((t) => BUSINESS_WORDS.has(t));
    if (rawCache.size > 20_000) rawCache.clear();
    rawCache.set(text, v);
  }
  return v;
}

/**
 * A payer is a person when its key reads as an individual's name AND the text the key was built from (the
 * counterparty as printed, else the narration) holds no business word — keys drop legal-form words such as LTD
 * or SERVICES so that one payer's narration variants cluster, which must not turn "EMEKA OBI SERVICES" into a person.
 */
export function isPersonPayer(key: string, raw: string): boolean {
  return counterpartyKind(key) === 'person' && !hasBusinessWord(raw);
}

function classify(key: string): CounterpartyKind {
  const tokens = key
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((t) => t.length > 0);
  if (tokens.length === 0) return 'unknown';
  let names = 0;
  let other = false;
  for (const t of tokens) {
    if (BUSINESS_WORDS.has(t)) return 'business';
    if (CONTEXT_WORDS.has(t) || t.length === 1) continue; // bank/wallet/rail words, titles, initials
    if (DESCRIPTIVE_WORDS.has(t) || !/^[A-Z]+$/.test(t) || t.length > 20) other = true;
    else names += 1;
  }
  if (other) return 'unknown';
  return names >= 2 && names <= 4 ? 'person' : 'unknown';
}
