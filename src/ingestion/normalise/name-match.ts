/**
 * Fuzzy person-name matching for self-transfer detection. Bank narrations reorder names ("ADEBAYO JOHN" vs
 * "JOHN ADEBAYO O"), abbreviate middle names to initials and truncate long names, so we compare token sets rather
 * than strings, tolerate one-letter typos in long tokens, and let initials match the first letter of a name.
 */

const HONORIFICS = new Set(['MR', 'MRS', 'MS', 'MISS', 'DR', 'CHIEF', 'ALHAJI', 'ALHAJA', 'PASTOR', 'ENGR', 'PROF', 'BARR', 'HON']);

const NON_LETTERS = /[^A-Z]+/g;

export function nameTokens(name: string): string[] {
  return name
    .toUpperCase()
    .replace(NON_LETTERS, ' ')
    .split(' ')
    .filter((t) => t !== '' && !HONORIFICS.has(t));
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
  return a.length >= 6 && b.length >= 6 && levenshtein(a, b) <= 1;
}

/**
 * Token-set similarity in [0, 1]: matched full tokens over the smaller full-token set, requiring at least two
 * matched full tokens (a shared surname alone is family, not self). Counterparty initials must each fit an
 * unmatched holder token, otherwise they count against the match.
 */
export function nameSimilarity(holderName: string, counterparty: string): number {
  return tokenSimilarity(nameTokens(holderName), nameTokens(counterparty));
}

function tokenSimilarity(holder: readonly string[], other: readonly string[]): number {
  const holderFull = holder.filter((t) => t.length > 1);
  const otherFull = other.filter((t) => t.length > 1);
  if (holderFull.length < 2 || otherFull.length < 2) return 0;
  const unmatchedHolder = [...holderFull];
  let matched = 0;
  let extra = 0;
  for (const token of otherFull) {
    const i = unmatchedHolder.findIndex((h) => tokensEqual(h, token));
    if (i >= 0) {
      unmatchedHolder.splice(i, 1);
      matched++;
    } else {
      extra++;
    }
  }
  if (matched < 2) return 0;
  for (const initial of other.filter((t) => t.length === 1)) {
    const i = unmatchedHolder.findIndex((h) => h.startsWith(initial));
    if (i >= 0) unmatchedHolder.splice(i, 1);
    else extra++;
  }
  return matched / (Math.min(holderFull.length, otherFull.length) + extra);
}

export const SELF_NAME_THRESHOLD = 0.8;

export function isSameName(holderName: string | null, counterparty: string | null): boolean {
  if (holderName === null || counterparty === null) return false;
  return nameSimilarity(holderName, counterparty) >= SELF_NAME_THRESHOLD;
}

/**
 * `isSameName` for one holder over many counterparties: the holder's tokens are computed once and each distinct
 * counterparty is compared once (narrations repeat the same few names).
 */
export function holderNameMatcher(holderName: string | null): (counterparty: string | null) => boolean {
  if (holderName === null) return () => false;
  const holder = nameTokens(holderName);
  const memo = new Map<string, boolean>();
  return (counterparty) => {
    if (counterparty === null) return false;
    let same = memo.get(counterparty);
    if (same === undefined) {
      same = tokenSimilarity(holder, nameTokens(counterparty)) >= SELF_NAME_THRESHOLD;
      memo.set(counterparty, same);
    }
    return same;
  };
}
