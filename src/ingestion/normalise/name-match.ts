/**
 * Fuzzy person-name matching for self-transfer detection.
 *
 * Banks print one person's name in many ways: reordered ("ADEBAYO JOHN" vs "JOHN ADEBAYO O"), surname first with a
 * comma, middle names as initials, missing or extra, long names truncated, surnames glued ("KENWAYDAVIDSON") or
 * hyphenated ("KENWAY-DAVIDSON"), the same surname twice, JNR/SNR, and a bank or wallet token glued before or after
 * the name ("TRF FROM JOHN ADEBAYO KUDA"). We compare token multisets rather than strings:
 *
 *   - tokens: letters only; honorifics, generational suffixes and bank/wallet words dropped; duplicates removed;
 *   - equal tokens: same text, a common short form (MOHD = MUHAMMAD), a truncation (≥ 5 letters, one a prefix of the
 *     other), one typo in a long token, or a token that is two of the other side's tokens glued together;
 *   - at least two full tokens must match (a shared surname alone is family, not self), or one full token with an
 *     initial for each of the holder's other names and nothing left over ("OBI I N" for OBI IFEOMA NGOZI);
 *   - a name token on each side with no partner is a *conflict* (JOHN ADEBAYO OKAFOR vs PETER ADEBAYO OKAFOR are
 *     siblings) and counts fully against the match; extra names on one side only (a middle name the other bank
 *     prints and this one drops) count half.
 *
 * score = matched / (min(|holder|, |other|) + conflicts + extras / 2); same person when score ≥ 0.8.
 */

const HONORIFICS = new Set([
  'MR',
  'MRS',
  'MS',
  'MISS',
  'DR',
  'CHIEF',
  'ALHAJI',
  'ALHAJA',
  'ALH',
  'PASTOR',
  'ENGR',
  'PROF',
  'BARR',
  'HON',
  'REV',
  'SIR',
  'MADAM',
  'JNR',
  'JR',
  'JUNIOR',
  'SNR',
  'SR',
  'SENIOR',
]);

/**
 * Words that name a bank, wallet or rail rather than a person; they appear glued to names in narrations
 * ("… KUDA", "OPAY/…", "GTB-…"). Dropped before comparing names.
 */
const INSTITUTION_TOKENS = new Set([
  'BANK',
  'BANKS',
  'MFB',
  'PSB',
  'PLC',
  'MICROFINANCE',
  'WALLET',
  'ACCOUNT',
  'ACCT',
  'ACC',
  'SAVINGS',
  'CURRENT',
  'KUDA',
  'OPAY',
  'PAYCOM',
  'PALMPAY',
  'PALM',
  'MONIEPOINT',
  'MONIE',
  'MONIEPT',
  'TEAMAPT',
  'PAGA',
  'GOMONEY',
  'GOMON',
  'CARBON',
  'FAIRMONEY',
  'VFD',
  'VBANK',
  'RUBIES',
  'SPARKLE',
  'ALAT',
  'GTB',
  'GTBANK',
  'GUARANTY',
  'ZENITH',
  'ZIB',
  'ACCESS',
  'ABN',
  'DIAMOND',
  'UBA',
  'FBN',
  'FIRSTBANK',
  'FIRST',
  'FIDELITY',
  'FBP',
  'UNION',
  'UBN',
  'STERLING',
  'SKYE',
  'POLARIS',
  'STANBIC',
  'IBTC',
  'STBC',
  'WEMA',
  'FCMB',
  'ECOBANK',
  'ECO',
  'ETB',
  'KEYSTONE',
  'PROVIDUS',
  'HERITAGE',
  'UNITY',
  'JAIZ',
  'TITAN',
  'GLOBUS',
  'SUNTRUST',
  'PARALLEX',
  'OPTIMUS',
  'LOTUS',
  'TAJ',
  'PREMIUMTRUST',
  'RENMONEY',
  'RENMO',
  'MOBILE',
  'APP',
  'USSD',
  'INTERNET',
  'BANKING',
  'TRANSFER',
  'TRF',
  'NIP',
  'FROM',
  'TO',
  'VIA',
  'INSTANT',
]);

/**
 * Common short forms, each mapped to one canonical spelling. Deliberately small and generic (spelling variants of the
 * same name, not nicknames that could be different people).
 */
const ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    MOHAMMED: 'MUHAMMAD',
    MOHAMMAD: 'MUHAMMAD',
    MUHAMMED: 'MUHAMMAD',
    MOHAMED: 'MUHAMMAD',
    MUHAMED: 'MUHAMMAD',
    MOHAMMEDU: 'MUHAMMAD',
    MOHD: 'MUHAMMAD',
    MUHD: 'MUHAMMAD',
    MOH: 'MUHAMMAD',
    MUH: 'MUHAMMAD',
    ABDULRAHAMAN: 'ABDULRAHMAN',
    ABDURRAHMAN: 'ABDULRAHMAN',
    ABDURAHMAN: 'ABDULRAHMAN',
    IBRAHEEM: 'IBRAHIM',
    IBRAHEM: 'IBRAHIM',
    YUSSUF: 'YUSUF',
    YUSUFF: 'YUSUF',
    ABUBAKR: 'ABUBAKAR',
    ABUBAKARR: 'ABUBAKAR',
    ELISABETH: 'ELIZABETH',
    STEVEN: 'STEPHEN',
  }),
);

const NON_LETTERS = /[^A-Z]+/g;

function canonical(token: string): string {
  return ALIASES.get(token) ?? token;
}

/** Person-name tokens of a printed name: letters only, canonical short forms, no honorifics or bank words, unique. */
export function nameTokens(name: string): string[] {
  const out: string[] = [];
  for (const raw of name.toUpperCase().replace(NON_LETTERS, ' ').split(' ')) {
    if (raw === '' || HONORIFICS.has(raw) || INSTITUTION_TOKENS.has(raw)) continue;
    const t = canonical(raw);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length];
}

function tokensEqual(a: string, b: string): boolean {
  if (a === b) return true;
  // Truncated names ("OLUWASEU" for "OLUWASEUN") and one-letter typos in long tokens.
  if (a.length >= 5 && b.length >= 5 && (a.startsWith(b) || b.startsWith(a))) return true;
  return a.length >= 6 && b.length >= 6 && Math.abs(a.length - b.length) <= 1 && levenshtein(a, b) <= 1;
}

/**
 * Token-set similarity in [0, 1] (see the file comment). Holder and counterparty are symmetric except that initials
 * are only read on the counterparty side (banks abbreviate the names they print, not the account's own name).
 */
export function nameSimilarity(holderName: string, counterparty: string): number {
  return tokenSimilarity(nameTokens(holderName), nameTokens(counterparty));
}

/** Removes the first token of `pool` equal to `token`; true when one was found. */
function take(pool: string[], token: string): boolean {
  const i = pool.findIndex((h) => tokensEqual(h, token));
  if (i < 0) return false;
  pool.splice(i, 1);
  return true;
}

/** A glued token ("KENWAYDAVIDSON") made of two tokens of `pool` (either order): removes both and returns true. */
function takeGlued(pool: string[], token: string): boolean {
  if (token.length < 6) return false;
  for (let i = 0; i < pool.length; i++) {
    const a = pool[i];
    if (a.length < 2 || !(token.startsWith(a) || token.endsWith(a))) continue;
    for (let j = 0; j < pool.length; j++) {
      if (j === i) continue;
      const b = pool[j];
      if (a.length + b.length !== token.length) continue;
      if (token === a + b || token === b + a) {
        pool.splice(Math.max(i, j), 1);
        pool.splice(Math.min(i, j), 1);
        return true;
      }
    }
  }
  return false;
}

function tokenSimilarity(holder: readonly string[], other: readonly string[]): number {
  const holderFull = holder.filter((t) => t.length > 1);
  const otherFull = other.filter((t) => t.length > 1);
  if (holderFull.length < 1 || otherFull.length < 1) return 0;
  const unmatchedHolder = [...holderFull];
  const unmatchedOther: string[] = [];
  let matched = 0;
  let holderSize = holderFull.length;
  let otherSize = otherFull.length;
  for (const token of otherFull) {
    // Glued first: "AMINUFEMI" is AMINU + FEMI, not a truncation match of AMINU alone.
    if (takeGlued(unmatchedHolder, token)) {
      matched += 2;
      otherSize += 1; // one glued token stands for two names
    } else if (take(unmatchedHolder, token)) matched++;
    else unmatchedOther.push(token);
  }
  // Glued on the holder's side ("KENWAYDAVIDSON" on the account, "KENWAY DAVIDSON" in the narration).
  for (let k = unmatchedHolder.length - 1; k >= 0; k--) {
    const token = unmatchedHolder[k];
    if (takeGlued(unmatchedOther, token)) {
      unmatchedHolder.splice(k, 1);
      matched += 2;
      holderSize += 1;
    }
  }
  if (matched < 1) return 0;
  // Initials on the counterparty side must each fit an unmatched holder token, otherwise they are an extra name.
  let initialsExtra = 0;
  let initialsUsed = 0;
  for (const initial of other.filter((t) => t.length === 1)) {
    const i = unmatchedHolder.findIndex((h) => h.startsWith(initial));
    if (i >= 0) {
      unmatchedHolder.splice(i, 1);
      initialsUsed++;
    } else initialsExtra++;
  }
  if (matched < 2) {
    // One full name plus initials for every other name of the holder ("OBI I N", "B. ADEGOKE"), nothing left over:
    // the holder as a wallet or another bank abbreviates them. A relative with the same initials would also pass —
    // the cheap error: money from family read as the borrower's own is never counted as income.
    const complete = initialsUsed > 0 && initialsExtra === 0 && unmatchedHolder.length === 0 && unmatchedOther.length === 0;
    return complete ? 1 : 0;
  }
  const conflicts = Math.min(unmatchedHolder.length, unmatchedOther.length);
  const extras = unmatchedHolder.length + unmatchedOther.length - 2 * conflicts + initialsExtra;
  return matched / (Math.min(holderSize, otherSize) + conflicts + extras / 2);
}

export const SELF_NAME_THRESHOLD = 0.8;

export function isSameName(holderName: string | null, counterparty: string | null): boolean {
  if (holderName === null || counterparty === null) return false;
  return nameSimilarity(holderName, counterparty) >= SELF_NAME_THRESHOLD;
}

/**
 * `isSameName` for one borrower over many counterparties: every name the borrower's accounts carry (a borrower's
 * banks may print their name differently) is tokenised once and each distinct counterparty is compared once
 * (narrations repeat the same few names).
 */
export function holderNameMatcher(holderNames: string | null | readonly (string | null)[]): (counterparty: string | null) => boolean {
  const names = (Array.isArray(holderNames) ? holderNames : [holderNames]).filter((n): n is string => typeof n === 'string' && n.trim() !== '');
  if (names.length === 0) return () => false;
  const holders = [...new Set(names)].map(nameTokens);
  const memo = new Map<string, boolean>();
  return (counterparty) => {
    if (counterparty === null) return false;
    let same = memo.get(counterparty);
    if (same === undefined) {
      const other = nameTokens(counterparty);
      same = holders.some((h) => tokenSimilarity(h, other) >= SELF_NAME_THRESHOLD);
      memo.set(counterparty, same);
    }
    return same;
  };
}
