/**
 * Parser for Nigerian bank narrations (NIBSS NIP, POS, USSD, ATM, bills, charges) into a payment rail, a
 * counterparty key and a memo. Heuristic by nature: every branch below corresponds to a narration shape seen in
 * Mono data or bank statements (underwriting-research §4c). Unknown shapes degrade to rail OTHER with the cleaned
 * narration as counterparty, never to an exception.
 */
import type { Direction, PaymentRail } from '../../common/domain/transaction.js';

export interface ParsedNarration {
  rail: PaymentRail;
  /** Bank / institution segment of a NIP narration (`NIP/<BANK>/…`), upper case. */
  bank: string | null;
  /** Normalised counterparty key: upper case, references, dates, account numbers and rail tokens stripped. */
  counterparty: string | null;
  memo: string | null;
  /** Longest reference-looking token (session id, RRN, FT number). */
  reference: string | null;
  /** Narration carries a reversal / refund keyword. */
  isReversal: boolean;
}

const REVERSAL_RE = /\b(?:REV|REVERSAL|REVERSED|RVSL|RVS|RFND|REFUND|REFUNDED|RETURN|RETURNED)\b/;
// "RETURNED CHEQUE" / "DD RETURN" are failed debits, not reversals of a completed payment.
const FAILED_DEBIT_RE = /\b(?:RETURNED CHEQUE|CHEQUE RETURN|INSUFFICIENT FUNDS?|UNPAID|BOUNCED|FAILED DEBIT)\b/;

// Fees, levies and taxes the bank takes. "NON COT" (a journal entry exempt from commission on turnover) is not a fee.
const CHARGE_RE =
  /\bEMTL\b|ELECTRONIC MONEY TRANSFER LEVY|\bTRANSFER LEVY\b|STAMP DUTY|\bSMS\b.*\b(?:ALERT|CHARGES?|NOTIFICATION|FEE)|\bALERT (?:CHARGE|FEE)S?\b|^VAT\b|\bVAT ON\b|(?:\+|&|AND) ?VAT\b|\bCHARGES? ?\+ ?VAT\b|MAINTENANCE (?:FEE|CHARGE)|MAINT(?:ENANCE)? CHARGE|\bACCT? MAINT|ISSUANCE FEE|\bCARD (?:FEE|MAINTENANCE|MAINT|RENEWAL)|\b(?:NIP|TRANSFER|TRF|ATM|WITHDRAWAL|WDL|POS|PYT|USSD|ISO|CHEQUE|CHQ|SWIFT|COT|TOKEN|STATEMENT|QUARTERLY|MONTHLY|ANNUAL|YEARLY|REISSUANCE|REPLACEMENT|HANDLING|MANAGEMENT|LEDGER|PROCESSING|OVERDRAFT|NOTIFICATION|VERVE|MASTERCARD|VISA) (?:CHARGE|FEE|COMMISSION|COMM)S?\b|COMMISSION ON TURNOVER|(?<!NON[ -])\bCOT\b|\bE-?LEVY\b|\bWITHHOLDING TAX\b|\bW\/?H\/?T\b|\bTAX DEDUCTED\b|^BANK CHARGES?\b|^CHARGES?\b|^COMMISSION\b|\bFGN LEVY\b/;
const AIRTIME_RE = /AIRTIME|\b(?:USSD|MOB|MOBILE|APP) TOP ?UP\b.*\b0[789]\d{9}\b|DATA BUNDLE|\bVTU\b|\bDATA PURCHASE\b|\bMOBILE DATA\b|\bRECHARGE\b|\bRCHG\b/;
const TRANSFER_TO_RE = /\b(?:TRANSFER|TRF|TFR|NIP|APP)\b.*\bTO\b|^APP\b:?.*\bTO\b|\bTO (?:OPAY|KUDA|PALMPAY|MONIEPOINT|PAGA)\b/;
const NETWORK_RE = /\b(MTN|AIRTEL|GLO|9MOBILE|ETISALAT|NTEL|SMILE)\b/;
const ATM_RE = /\bATM\b|CASH WITHDRAWAL|\bCASH WDL\b|\bWDL\b|\bCASH ADV(?:ANCE)?\b|\bCASH ?OUT\b/;
const POS_RE = /\bPOS\b|\bLOC-|\bPRCH\b|PURCHASE AT\b|\bMERCHANT (?:PAYMENT|ORDER|PURCHASE)\b|^-- ?--/;
const CARD_TRAILER_RE = /\S {3,}(?:[A-Z]{2,4} {2,})?(?:[A-Z]{2})?NG-?$/;
const TRANSFER_WORD_RE = /\b(?:NIP|TRF|TFR|TRANSFER|FROM|FRM|TO)\b/;
const WEB_RE = /WEB PURCHASE|\bWEB\b|ONLINE PURCHASE|ONLINE PAYMENT|\bPAYSTACK\b|\bFLUTTERWAVE\b|\bFLW\b|\bINTERSWITCH WEB\b/;
const USSD_RE = /\*\d{3}\*|\bUSSD\b/;
const BILLS_RE = /\bBILLS?\b|\bBILL PAYMENT\b|\bQUICKTELLER\b|\bQT\b|\bBILLER\b|\bPREPAID\b|\bTOKEN\b/;
const CHEQUE_RE = /\bCHEQUE\b|\bCHQ\b|\bCLEARING\b/;
const INTERNAL_RE = /\bINTEREST\b|\bINT\.? PAID\b|CASH DEPOSIT|\bCSH DEP\b|\bCASH DEP\b|TELLER DEPOSIT|\bINTERNAL\b/;
const NIP_RE =
  /\bBULK (?:PAYMENT|TRANSFER|CREDIT)S?\b|^NIP\b|\bNIP\b|^TRF\b|\bTRF\b|TRANSFER|^FT\b|\bMOB\b|\bNIBSS\b|\bNEFT\b|\bINWARD\b|\bOUTWARD\b|\bSENT TO\b|\bRECEIVED FROM\b/;

/** Tokens that say how the money moved, not who moved it. */
const RAIL_TOKENS = new Set([
  'NIP',
  'TRF',
  'SENT',
  'RECEIVED',
  'BETWEEN',
  'CUSTOMERS',
  'TRANSFER',
  'TRANSFERS',
  'FROM',
  'FRM',
  'TO',
  'FT',
  'MOB',
  'MOBILE',
  'CR',
  'DR',
  'VIA',
  'REF',
  'NG',
  'NIBSS',
  'INSTANT',
  'PAYMENT',
  'IFO',
  'BO',
  'INWARD',
  'OUTWARD',
  'USSD',
  'WEB',
  'POS',
  'LOC',
  'PRCH',
  'PURCHASE',
  'VC',
  'MC',
  'VISA',
  'MASTERCARD',
  'VERVE',
  'ATM',
  'WDL',
  'THE',
  'AND',
  'ON',
  'AT',
  'OF',
  'FOR',
  'TRSF',
  'TRX',
  'TXN',
]);
const MONTHS = new Set(['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'SEPT', 'OCT', 'NOV', 'DEC']);
const NOT_NAME_CHARS = /[^A-Z0-9&]+/g;
const HAS_DIGIT = /\d/;

/**
 * Counterparty key per research §4a step 2: upper case, punctuation to spaces, drop tokens that carry digits
 * (references, dates, account numbers, phone numbers), rail tokens and month names. Returns null when nothing
 * name-like survives.
 */
export function normaliseCounterparty(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const tokens = text
    .toUpperCase()
    .replace(NOT_NAME_CHARS, ' ')
    .split(' ')
    .filter((t) => t !== '' && !HAS_DIGIT.test(t) && !RAIL_TOKENS.has(t) && !MONTHS.has(t));
  return tokens.length === 0 ? null : tokens.join(' ');
}

/** Longest token with at least 8 digits (NIP session ids are 30 digits, RRNs 12, FT numbers alphanumeric). */
export function extractReference(upper: string): string | null {
  // One pass over the characters: tokens are the runs of [A-Z0-9] (what `split(/[^A-Z0-9]+/)` yields), the first
  // longest token with ≥ 8 digits wins.
  let bestStart = -1;
  let bestLength = 0;
  let start = 0;
  let digits = 0;
  for (let i = 0; i <= upper.length; i++) {
    const c = i < upper.length ? upper.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      digits++;
      continue;
    }
    if (c >= 65 && c <= 90) continue;
    if (digits >= 8 && (bestStart < 0 || i - start > bestLength)) {
      bestStart = start;
      bestLength = i - start;
    }
    start = i + 1;
    digits = 0;
  }
  return bestStart < 0 ? null : upper.slice(bestStart, bestStart + bestLength);
}

function detectRail(up: string, direction: Direction | undefined): PaymentRail {
  // A credit is a charge only when it gives one back ("Rvsl:STAMP DUTY"); a "COMMISSION" credit is an earning.
  if (CHARGE_RE.test(up) && (direction !== 'credit' || REVERSAL_RE.test(up))) return 'CHARGE';
  // "buy airtime for mummy" in the memo of a transfer to a person is a transfer; a network named is a purchase.
  if (AIRTIME_RE.test(up) && !(TRANSFER_TO_RE.test(up) && !NETWORK_RE.test(up))) return 'AIRTIME';
  if (USSD_RE.test(up)) return 'USSD';
  if (ATM_RE.test(up)) return 'ATM';
  if (POS_RE.test(up)) return 'POS';
  // A merchant-only card line: the card network's fixed-width merchant / city / country fields, padded with spaces and
  // ending in the country code ("SHOPRITE LEKKI      LA           NG-").
  if (CARD_TRAILER_RE.test(up) && !TRANSFER_WORD_RE.test(up)) return 'POS';
  if (WEB_RE.test(up)) return 'WEB';
  if (/^NIP\/|^TRF\/|NIP TRANSFER|^FT\b|MOB TRF|\/TRAN\/|^APP\b:?.*\bTO\b|^[^/]+\/\d{10}\/[A-Z .&-]+$/.test(up)) return 'NIP';
  if (direction !== 'credit' && BILLS_RE.test(up)) return 'BILLS';
  if (CHEQUE_RE.test(up)) return 'CHEQUE';
  if (INTERNAL_RE.test(up)) return 'INTERNAL';
  if (NIP_RE.test(up)) return 'NIP';
  if (/\bCARD\b/.test(up)) return 'CARD';
  return 'OTHER';
}

interface Parts {
  bank: string | null;
  party: string | null;
  memo: string | null;
}

/**
 * First segment of a slash narration that says a transfer follows: `NIP`, Zenith's `NIP CR` / `NIP DR`, `TRF`, `FT`,
 * `MOB TRF`, cooperative / switch prefixes `CIP`, `NFT`, `NEFT`, and Kuda's `kip:<bank>` (which names the bank).
 */
const SLASH_PREFIX_RE =
  /^(?:NIP(?: ?(?:CR|DR|TRF|TFR|TRANSFER))?|TRF|TFR|FT|MOB(?: TRF)?|TRANSFER|INWARD|OUTWARD|CIP|NFT|NEFT|[A-Z]{2,4} ?: ?TRF|(?:KIP|NIP) ?: ?([A-Z0-9 ]+))$/;
/** Alphabetic words of two letters or more (how much of a name a text carries). */
function nameWordCount(text: string | null): number {
  if (text === null) return 0;
  let n = 0;
  for (const w of text.split(/[^A-Za-z]+/)) if (w.length > 1 && !RAIL_TOKENS.has(w.toUpperCase())) n++;
  return n;
}
const DIRECTION_SEGMENT_RE = /^(?:CR|DR|C|D)$/;
/** `FROM <sender>` (up to a following `TO …`), the sender named in a credit's memo. */
const FROM_PHRASE_RE = /\b(?:FROM|FRM)\b:?\s+(.+?)(?:\s+\bTO\b\s+.*)?$/;

/** `NIP/<BANK>/<NAME>/<memo…>`, `NIP CR/<NAME>/<BANK>`, `TRF/<NAME>/<memo>`, `kip:<bank>/<name>/<memo>` and friends. */
function slashParts(raw: string, direction: Direction | undefined): Parts | null {
  if (!raw.includes('/')) return null; // one segment at most
  const segments = raw
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (segments.length < 2) return null;
  // Wallet apps: "<name>/<account number>/<bank>".
  if (segments.length === 3 && /^\d{10}$/.test(segments[1]) && !/\d/.test(segments[0])) {
    return { bank: segments[2].toUpperCase(), party: segments[0], memo: null };
  }
  const prefix = SLASH_PREFIX_RE.exec(segments[0].toUpperCase());
  if (!prefix) return null;
  let rest = segments.slice(1);
  while (rest.length > 1 && DIRECTION_SEGMENT_RE.test(rest[0].toUpperCase())) rest = rest.slice(1);
  const memoOf = (from: number): string | null => (rest.length > from ? rest.slice(from).join('/') : null);
  let parts: Parts;
  if (prefix[1] !== undefined) parts = { bank: prefix[1].trim(), party: rest[0], memo: memoOf(1) };
  else if (rest.length >= 3 || (rest.length === 2 && looksLikeBank(rest[0]))) parts = { bank: rest[0].toUpperCase(), party: rest[1], memo: memoOf(2) };
  else parts = { bank: null, party: rest[0], memo: memoOf(1) };
  // A party segment that is itself a phrase ("Transfer from <name>"), or a credit whose memo names its sender.
  // The phrase wins unless the segment already names more of a person ("kip:opay/<full name>/transfer from <first 8
  // letters>": Kuda truncates the memo).
  if (direction === 'credit') {
    // "…/NIP Transfer to <beneficiary>/…" on a credit names the holder's side, not the payer.
    const toOnly = parts.party === null || /\b(?:FROM|FRM)\b/i.test(parts.party) ? null : /\bTO\b/i.exec(parts.party);
    const partySegment = parts.party;
    if (toOnly && parts.party !== null) parts = { ...parts, party: parts.party.slice(0, toOnly.index) };
    for (const segment of [partySegment, ...rest.slice(rest.indexOf(partySegment ?? '') + 1)]) {
      const from = segment === null ? null : FROM_PHRASE_RE.exec(segment.toUpperCase());
      if (from && nameWordCount(from[1]) >= nameWordCount(parts.party)) return { ...parts, party: from[1] };
    }
  } else {
    // A debit's memo that names both ends ("…/FRM <holder> TO <beneficiary>") names its beneficiary.
    for (const segment of rest) {
      const both = /\b(?:FROM|FRM)\b:?\s+.+?\s+\bTO\b:?\s+(.+)$/i.exec(segment);
      if (both) return { ...parts, party: both[1] };
    }
    if (parts.party !== null && /\bTO\b/i.test(parts.party)) {
      const to = /\bTO\b\s+(.+)$/i.exec(parts.party);
      if (to) return { ...parts, party: to[1] };
    }
  }
  return parts;
}

const BANK_HINT_RE =
  /\b(?:BANK|MFB|MICROFINANCE|PSB|GTB|GTBANK|ZENITH|ACCESS|UBA|FBN|FIRSTBANK|FIDELITY|STERLING|WEMA|UNION|ECOBANK|STANBIC|POLARIS|KEYSTONE|PROVIDUS|KUDA|OPAY|PALMPAY|MONIEPOINT|FCMB|JAIZ|TITAN|GLOBUS|HERITAGE|UNITY|VFD|CARBON|FAIRMONEY|PAYCOM|SUNTRUST|PARALLEX|LOTUS|TAJ|OPTIMUS|PREMIUMTRUST|SIGNATURE|HOPE)\b/;

/** A text that names only a bank or wallet ("ECOBANK", "GTBANK PLC", "OPAY"). */
function isOnlyInstitution(text: string): boolean {
  const words = text.toUpperCase().split(/[^A-Z]+/).filter((w) => w !== '');
  return words.length > 0 && words.length <= 3 && words.every((w) => BANK_WORD_RE.test(w));
}

const BANK_WORD_RE = new RegExp(`^(?:${BANK_HINT_RE.source.slice(5, -3)}|PLC|LIMITED|LTD|NIGERIA|NIG|IBTC|TRUST|GUARANTY)$`);

function looksLikeBank(segment: string): boolean {
  return BANK_HINT_RE.test(segment.toUpperCase());
}

/**
 * `… FROM <NAME> TO <X>` / `MOB TRF TO <NAME>` / `<NAME> NIP TRANSFER <ref>` / `FT 1234 <NAME>`. When a narration names
 * both ends ("TRF FRM <sender> TO <receiver>"), the counterparty is the receiver on a debit and the sender on a credit.
 * A credit that only names its beneficiary ("SALARY PAYMENT TO <holder>", "<EMPLOYER> TO <holder>") is from whoever
 * stands before the `TO`: the account holder named as beneficiary is never the counterparty of a credit.
 */
function freeformTransferParts(up: string, direction: Direction | undefined): Parts {
  const [head, ...memoParts] = up.split(/\s+-\s+|\/\/|\|/);
  const memo = memoParts.length > 0 ? memoParts.join(' ').trim() || null : null;
  const from = /\b(?:FROM|FRM|BO)\b:?\s+(.+?)(?:\s+\bTO\b\s+.*)?$/.exec(head);
  const to = /\bTO\b:?\s+(.+)$/.exec(head);
  // "NIP TRANSFER TO ECOBANK - <name>": the bank after TO, the beneficiary in the next part.
  if (to && memo !== null && isOnlyInstitution(to[1])) return { bank: to[1].trim(), party: memoParts[0], memo: memoParts.slice(1).join(' ') || null };
  if (direction === 'debit' && to) return { bank: null, party: to[1], memo };
  if (from) return { bank: null, party: from[1], memo };
  if (to) {
    if (direction === 'credit') return { bank: null, party: head.slice(0, to.index), memo };
    return { bank: null, party: to[1], memo };
  }
  return { bank: null, party: head, memo };
}

/** `VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG`, `MC Loc POS Prch-2033ABCD-CHICKEN REPUBLIC IKEJA NG`. */
function posMerchant(up: string): string | null {
  const dashed = /--\s*(.+)$/.exec(up) ?? /PRCH-?\s*[A-Z0-9]*\d[A-Z0-9]*-+\s*(.+)$/.exec(up);
  let merchant = dashed ? dashed[1] : up.replace(/^.*\bPOS\b\s*(?:PURCHASE|PRCH)?\s*(?:AT)?/, '');
  // Card-network trailers: "<city> <2-letter state> NG"; keep the merchant and city words.
  merchant = merchant.replace(/\s+[A-Z]{2}\s+NG\s*$/, '').replace(/\s+NG\s*$/, '');
  return merchant.trim() === '' ? null : merchant;
}

function airtimeParts(raw: string, up: string): Parts {
  const segments = raw.split(/\/\/|\//).map((s) => s.trim());
  const network = NETWORK_RE.exec(up);
  const phone = segments.find((s) => /^\+?\d{10,14}$/.test(s)) ?? null;
  return { bank: null, party: network ? network[1] : null, memo: phone };
}

function partsFor(rail: PaymentRail, raw: string, up: string, direction: Direction | undefined): Parts {
  switch (rail) {
    case 'AIRTIME':
      return airtimeParts(raw, up);
    case 'POS':
      return { bank: null, party: posMerchant(up), memo: null };
    case 'WEB':
    case 'CARD':
      return { bank: null, party: up.replace(WEB_RE, ' '), memo: null };
    case 'CHARGE':
    case 'ATM':
      return { bank: null, party: null, memo: up };
    case 'NIP':
    case 'USSD':
    case 'INTERNAL':
    case 'OTHER':
    case 'BILLS':
    case 'CHEQUE':
      return slashParts(raw, direction) ?? freeformTransferParts(up.replace(USSD_RE, ' '), direction);
  }
}

export function parseNarration(narration: string, direction?: Direction): ParsedNarration {
  const raw = narration.trim();
  const up = raw.toUpperCase();
  const slash = slashParts(raw, direction);
  // A slash transfer stays a transfer whatever its memo says ("…/airtime money"); only a fee line is not one.
  const rail = slash && !(CHARGE_RE.test(up) && direction !== 'credit') ? 'NIP' : detectRail(up, direction);
  const parts = partsFor(rail, raw, up, direction);
  const memo = parts.memo?.trim() ?? null;
  return {
    rail,
    bank: parts.bank,
    counterparty: normaliseCounterparty(parts.party),
    memo: memo === '' ? null : memo,
    reference: extractReference(up),
    isReversal: REVERSAL_RE.test(up) && !FAILED_DEBIT_RE.test(up),
  };
}

export function isFailedDebitNarration(narration: string): boolean {
  return FAILED_DEBIT_RE.test(narration.toUpperCase());
}
