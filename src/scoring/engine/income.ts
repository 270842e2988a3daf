import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import { payerTokens } from './payer-key.js';
import { detectCadence, monthlyFactor, periodDays, predictNextDay } from './cadence.js';
import { counterpartyKind, isPersonPayer } from './counterparty-kind.js';
import { fromDay, firstDayOfMonth, monthIndexOfDay, monthKey, toDay } from './dates.js';
import { Dec, ONE, ZERO, clamp01, constDec, minDec, toMinor, toRatio } from './decimal.js';
import { INCOME_ELIGIBLE, NEVER_INCOME, type Frame } from './frame.js';
import { isBusinessDay } from './holidays.js';
import type { Policy } from './policy.js';
import { cvDec, meanDec, medianDec, percentileDec, sortSmall } from './stats.js';
import type { IncomeResult, IncomeStream, StreamMaturity, StreamStatus } from './types.js';

interface Occurrence {
  day: number;
  amount: number;
  idx: number[];
}

interface Band {
  occ: Occurrence[];
}

interface Cluster {
  label: string;
  tokens: string[];
  members: number[];
  hasStream: boolean;
}

export interface IncomeDetail {
  result: IncomeResult;
  /** Income-eligible credits per analysed month, outliers excluded (for free cash flow). */
  qualifyingByMonth: number[];
  /** VMI without the pass-through cap (for its counterfactual). */
  uncappedVerifiedMonthlyMinor: number;
  /** VMI if irregular income used the median month even when unstable (for INCOME_UNSTABLE's counterfactual). */
  medianBasedVerifiedMonthlyMinor: number;
  /** Person-to-person credits excluded per analysed month, and VMI had they counted (P2P_CREDITS_EXCLUDED's counterfactual). */
  personToPersonByMonth: number[];
  withPersonToPersonVerifiedMonthlyMinor: number;
}

const tokenCache = new Map<string, string[]>();

function tokensOf(key: string): string[] {
  let t = tokenCache.get(key);
  if (t === undefined) {
    t = payerTokens(key);
    if (tokenCache.size > 20_000) tokenCache.clear();
    tokenCache.set(key, t);
  }
  return t;
}

function tokenMatch(a: string, b: string): boolean {
  if (a === b) return true;
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  return s.length >= 3 && l.startsWith(s);
}

/** Token-set similarity (Sørensen–Dice over tokens; a token matches itself or a ≥3-letter prefix of another). */
export function tokenSetSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let matches = 0;
  for (const x of a) if (b.some((y) => tokenMatch(x, y))) matches += 1;
  return (2 * Math.min(matches, b.length)) / (a.length + b.length);
}

/**
 * Greedy clustering of counterparty keys against cluster representatives (most frequent keys first).
 * Candidates come from an inverted index on 3-letter token prefixes with prefix filtering: Dice ≥ t forces
 * at least ⌈t·|a|/(2 − t)⌉ shared tokens, so probing a's rarest |a| − that + 1 prefixes finds every
 * candidate while skipping common words ("CUSTOMER", "LTD").
 */
export function clusterKeys(keyMembers: Map<string, number[]>, threshold: number): Cluster[] {
  const keys: string[] = [];
  const memberLists: number[][] = [];
  for (const [key, members] of keyMembers) {
    keys.push(key);
    memberLists.push(members);
  }
  const order = keys.map((_, i) => i);
  order.sort((a, b) => memberLists[b].length - memberLists[a].length || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
  const tokenLists = keys.map(tokensOf);
  const prefixLists = keys.map(prefixesOf);
  // Prefixes interned to small integers for this call (first-seen order): document frequencies, cluster prefix
  // sets and the inverted index become plain arrays indexed by prefix id.
  const ids = new Map<string, number>();
  const prefixOf: string[] = [];
  const df: number[] = [];
  const uniqueIds: number[][] = new Array<number[]>(keys.length);
  for (let k = 0; k < keys.length; k += 1) {
    const { unique } = prefixLists[k];
    const out = new Array<number>(unique.length);
    for (let u = 0; u < unique.length; u += 1) {
      let id = ids.get(unique[u]);
      if (id === undefined) {
        id = prefixOf.push(unique[u]) - 1;
        ids.set(unique[u], id);
        df.push(0);
      }
      df[id] += 1;
      out[u] = id;
    }
    uniqueIds[k] = out;
  }
  const byRarity = (x: number, y: number): number => df[x] - df[y] || (prefixOf[x] < prefixOf[y] ? -1 : 1);
  const clusters: Cluster[] = [];
  const clusterPrefixes: number[][] = [];
  const index: (number[] | undefined)[] = new Array<number[] | undefined>(prefixOf.length);
  const lo = threshold / (2 - threshold);
  let stamp = new Int32Array(64).fill(-1);
  for (const k of order) {
    const tokens = tokenLists[k];
    const all = prefixLists[k].all;
    const unique = uniqueIds[k];
    const allIds = all.map((p) => ids.get(p)!);
    const probeOrder = unique.length > 1 ? sortSmall(unique.slice(), byRarity) : unique;
    const minShared = Math.ceil((threshold * tokens.length) / (2 - threshold) - 1e-9);
    const probe = Math.max(1, tokens.length - minShared + 1);
    let best = -1;
    let bestSim = 0;
    for (let q = 0; q < probe && q < probeOrder.length; q += 1) {
      const list = index[probeOrder[q]];
      if (!list) continue;
      for (const c of list) {
        if (stamp[c] === k) continue;
        stamp[c] = k;
        // Cheap bounds before the exact similarity: sizes must be compatible, and shared prefixes bound matches.
        const bl = clusters[c].tokens.length;
        if (bl < lo * tokens.length || tokens.length < lo * bl) continue;
        let shared = 0;
        const cp = clusterPrefixes[c];
        for (const p of allIds) if (cp.includes(p)) shared += 1;
        if (2 * shared < threshold * (tokens.length + bl)) continue;
        const sim = tokenSetSimilarity(tokens, clusters[c].tokens);
        if (sim >= threshold && (sim > bestSim || (sim === bestSim && c < best))) {
          best = c;
          bestSim = sim;
        }
      }
    }
    const members = memberLists[k];
    if (best >= 0) {
      const target = clusters[best].members;
      for (const m of members) target.push(m);
    } else {
      clusters.push({ label: keys[k], tokens, members: members.slice(), hasStream: false });
      clusterPrefixes.push(unique);
      if (clusters.length > stamp.length) {
        const grown = new Int32Array(stamp.length * 2).fill(-1);
        grown.set(stamp);
        stamp = grown;
      }
      for (const p of unique) {
        const list = index[p];
        if (list) list.push(clusters.length - 1);
        else index[p] = [clusters.length - 1];
      }
    }
  }
  return clusters;
}

const prefixCache = new Map<string, { all: string[]; unique: string[] }>();

/** 3-letter prefixes of a key's tokens (all, and distinct), memoised. */
function prefixesOf(key: string): { all: string[]; unique: string[] } {
  let v = prefixCache.get(key);
  if (v === undefined) {
    const all = tokensOf(key).map((t) => t.slice(0, 3));
    v = { all, unique: [...new Set(all)] };
    if (prefixCache.size > 20_000) prefixCache.clear();
    prefixCache.set(key, v);
  }
  return v;
}

const narrationWords = new Map<string, string>();

/** ` WORD WORD … ` of a narration (memoised: narrations repeat). */
function wordsOf(narration: string): string {
  let w = narrationWords.get(narration);
  if (w === undefined) {
    w = ` ${narration.toUpperCase().replace(/[^A-Z0-9]+/g, ' ')} `;
    if (narrationWords.size > 20_000) narrationWords.clear();
    narrationWords.set(narration, w);
  }
  return w;
}

interface KeywordMatcher {
  padded: string[];
  employers: string[];
  /** narration → has a salary keyword; counterparty key → names a known employer (pure, memoised, bounded). */
  byNarration: Map<string, boolean>;
  byKey: Map<string, boolean>;
}

const matcherCache = new WeakMap<object, KeywordMatcher>();

function matcherFor(ip: Policy['income']): KeywordMatcher {
  let m = matcherCache.get(ip);
  if (m === undefined) {
    m = {
      padded: ip.salaryKeywords.map((k) => ` ${k.toUpperCase()} `),
      employers: ip.knownEmployers.map((e) => e.toUpperCase()),
      byNarration: new Map<string, boolean>(),
      byKey: new Map<string, boolean>(),
    };
    matcherCache.set(ip, m);
  }
  return m;
}

/** Salary evidence: a `salary` category, a salary keyword as a whole word, or a known payer in the key. */
function hasKeyword(t: NormalisedTransaction, m: KeywordMatcher, key: string): boolean {
  if (t.category === 'salary') return true;
  let n = m.byNarration.get(t.narration);
  if (n === undefined) {
    const text = wordsOf(t.narration);
    n = m.padded.some((k) => text.includes(k));
    if (m.byNarration.size > 20_000) m.byNarration.clear();
    m.byNarration.set(t.narration, n);
  }
  if (n) return true;
  let e = m.byKey.get(key);
  if (e === undefined) {
    e = m.employers.some((x) => key.includes(x));
    if (m.byKey.size > 20_000) m.byKey.clear();
    m.byKey.set(key, e);
  }
  return e;
}

/** A ratio string such as "0.15" as an exact fraction num/den of safe integers. */
export function fraction(ratio: string): { num: number; den: number } {
  const [int, frac = ''] = ratio.split('.');
  const den = 10 ** frac.length;
  return { num: Number(int) * den + Number(frac || '0'), den };
}

/** Twice the median of up to the last 3 amounts (an integer, so the band test stays in exact integer kobo). */
function twiceRecentMedian(occ: readonly Occurrence[]): number {
  const n = occ.length;
  if (n === 1) return 2 * occ[0].amount;
  if (n === 2) return occ[0].amount + occ[1].amount;
  const a = occ[n - 3].amount;
  const b = occ[n - 2].amount;
  const c = occ[n - 1].amount;
  return 2 * Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/**
 * Assign occurrences to amount bands in date order: each band's reference is the median of its last 3
 * amounts and an amount joins the closest band within ±band of it. Integer arithmetic: |2x − 2m| × den ≤ num × 2m.
 */
function amountBands(occ: readonly Occurrence[], band: { num: number; den: number }): Band[] {
  const bands: Band[] = [];
  for (const o of occ) {
    let best: Band | null = null;
    let bestDist = 0;
    for (const b of bands) {
      const ref2 = twiceRecentMedian(b.occ);
      const dist2 = Math.abs(2 * o.amount - ref2);
      if (dist2 * band.den <= band.num * ref2 && (best === null || dist2 < bestDist)) {
        best = b;
        bestDist = dist2;
      }
    }
    if (best) best.occ.push(o);
    else bands.push({ occ: [o] });
  }
  return bands;
}

const byFirstDay = (a: Band, b: Band): number => a.occ[0].day - b.occ[0].day;

interface StreamCandidate {
  cluster: Cluster;
  occ: Occurrence[];
  changeAt: number; // index in occ where the current band starts (0: no change)
  previousTypical: number | null;
}

/** Join bands into streams; a later band that takes over after an earlier one is a step change (a raise or a cut). */
function bandsToStreams(cluster: Cluster, bands: Band[]): { streams: StreamCandidate[]; leftovers: Occurrence[] } {
  const leftovers: Occurrence[] = [];
  const multi = bands.filter((b) => (b.occ.length >= 2 ? true : (leftovers.push(...b.occ), false)));
  sortSmall(multi, byFirstDay);
  const streams: StreamCandidate[] = [];
  for (const b of multi) {
    const prev = streams.find((s) => {
      const last = s.occ[s.occ.length - 1].day;
      const gapNow = b.occ[0].day - last;
      const own = s.occ.length > 1 ? (last - s.occ[0].day) / (s.occ.length - 1) : 31;
      return gapNow > 0 && gapNow <= 1.5 * own + 7;
    });
    if (prev) {
      prev.previousTypical = toMinor(medianDec(prev.occ.slice(prev.changeAt).map((o) => o.amount)));
      prev.changeAt = prev.occ.length;
      prev.occ.push(...b.occ);
    } else {
      streams.push({ cluster, occ: [...b.occ], changeAt: 0, previousTypical: null });
    }
  }
  return { streams, leftovers };
}

/**
 * A payer whose payments keep a regular cadence is one stream even when amounts vary (gig payouts); its
 * amount bands only matter when they follow each other in time (a raise or a cut, research §4a step 3).
 * Otherwise each amount band with 2+ payments is tested as a stream of its own (salary + allowance).
 */
export function splitCluster(
  cluster: Cluster,
  occ: Occurrence[],
  band: { num: number; den: number },
): { streams: StreamCandidate[]; leftovers: Occurrence[] } {
  const bands = amountBands(occ, band);
  const multiCount = bands.reduce((n, b) => n + (b.occ.length >= 2 ? 1 : 0), 0);
  if (multiCount === 0) return { streams: [], leftovers: occ };
  // Dense payments: more than two a month on average (30.44 days).
  const dense = occ.length * 3044 > 2 * 100 * Math.max(30.44, occ[occ.length - 1].day - occ[0].day);
  if (occ.length >= 3 && (multiCount >= 2 || dense)) {
    const whole = detectCadence(occurrenceDays(occ));
    // Dense payments without a cadence (a trader's daily POS settlements): amount bands would only carve
    // chance "streams" out of noise.
    if (whole.frequency === 'irregular' && dense) return { streams: [], leftovers: occ };
    if (whole.frequency !== 'irregular' && whole.regularity >= 0.75) {
      const multi = sortSmall(
        bands.filter((b) => b.occ.length >= 2),
        byFirstDay,
      );
      const sequential = multi.every((b, k) => k === 0 || b.occ[0].day > multi[k - 1].occ[multi[k - 1].occ.length - 1].day);
      if (!sequential) return { streams: [{ cluster, occ, changeAt: 0, previousTypical: null }], leftovers: [] };
    }
  }
  return bandsToStreams(cluster, bands);
}

export function detectIncome(frame: Frame, policy: Policy, passThrough: boolean): IncomeDetail {
  const { txs, days, months, keys } = frame;
  const ip = policy.income;
  const nSlots = frame.analysedMonths.length;
  const windowStart = nSlots ? firstDayOfMonth(frame.analysedMonths[0]) : frame.asOfDay;

  const neverIds: string[] = [];
  let neverMinor = 0;
  const keyMembers = new Map<string, number[]>();
  const cash: number[] = [];
  const eligibleByMonth = new Array<number>(nSlots).fill(0);
  for (let i = 0; i < txs.length; i += 1) {
    const t = txs[i];
    if (t.direction !== 'credit') continue;
    if (NEVER_INCOME.has(t.category)) {
      if (days[i] >= windowStart) {
        neverIds.push(t.id);
        neverMinor += t.amountMinor;
      }
      continue;
    }
    if (!INCOME_ELIGIBLE.has(t.category)) continue;
    const slot = frame.slotOfMonth(months[i]);
    if (slot >= 0) eligibleByMonth[slot] += t.amountMinor;
    if (t.category === 'cash_deposit') {
      cash.push(i);
      continue;
    }
    const list = keyMembers.get(keys[i]);
    if (list) list.push(i);
    else keyMembers.set(keys[i], [i]);
  }

  const eligibleTotal = eligibleByMonth.reduce((a, b) => a + b, 0);
  const clusters = clusterKeys(keyMembers, Number(ip.clusterSimilarity));
  const band = fraction(ip.amountBand);
  // Pool of irregular-income candidates: poolOf[i] = -2 not pooled, -1 pooled without a payer cluster, else the cluster.
  const poolOf = new Int32Array(txs.length).fill(-2);
  const streamsOut: IncomeStream[] = [];
  const matcher = matcherFor(ip);
  const keywordOf = (i: number): boolean => hasKeyword(txs[i], matcher, keys[i]);

  for (let ci = 0; ci < clusters.length; ci += 1) {
    const cluster = clusters[ci];
    const members = sortedAscending(cluster.members);
    const occ: Occurrence[] = [];
    for (const i of members) {
      const last = occ[occ.length - 1];
      if (last && days[i] - last.day <= ip.splitMergeDays) {
        last.amount += txs[i].amountMinor;
        last.idx.push(i);
      } else {
        occ.push({ day: days[i], amount: txs[i].amountMinor, idx: [i] });
      }
    }
    // Too few payments to be MATURE and no salary evidence for EARLY: cannot be a stream.
    if (occ.length < 2 || (occ.length < ip.minOccurrencesMature && !members.some(keywordOf))) {
      for (const i of members) poolOf[i] = ci;
      continue;
    }
    const { streams, leftovers } = splitCluster(cluster, occ, band);
    for (const o of leftovers) for (const i of o.idx) poolOf[i] = ci;
    let regularFound = false;
    for (const st of streams) {
      const stream = evaluateStream(st, frame, policy, false);
      if (!stream || stream.frequency === 'irregular') {
        for (const o of st.occ) for (const i of o.idx) poolOf[i] = ci;
        continue;
      }
      regularFound = true;
      streamsOut.push(stream);
    }
    cluster.hasStream = regularFound;
    if (!regularFound && isMajorPayer(occ, frame, eligibleTotal)) {
      // Published for transparency only: a frequent payer without a cadence (a trader's POS settlements).
      const irregular = evaluateStream({ cluster, occ, changeAt: 0, previousTypical: null }, frame, policy, true);
      if (irregular && irregular.frequency === 'irregular') streamsOut.push(irregular);
    }
  }
  for (const i of cash) poolOf[i] = -1;

  // Outliers: one-off credits above k × the median monthly qualifying inflow, unless their payer has a stream.
  const outlierThreshold = constDec(ip.outlierMultiple).times(medianDec(eligibleByMonth));
  const outlierThresholdMinor = toMinor(outlierThreshold);
  const isOutlier = (i: number, ci: number): boolean =>
    outlierThresholdMinor > 0 && txs[i].amountMinor > outlierThresholdMinor && !(ci >= 0 && clusters[ci].hasStream);

  // Person-to-person credits (policy 1.1.0): for a borrower with a counted regular stream, pooled credits from an
  // individual whose payer is not a stream do not count, unless the individuals look like a trader's customers.
  const p2p = ip.personToPerson;
  const p2pCandidate = p2p ? personToPersonCandidates(frame, poolOf, clusters, keywordOf, isOutlier, streamsOut) : null;
  let p2pBusiness = false;
  if (p2p && p2pCandidate) {
    const payers = new Set<number>();
    let credits = 0;
    for (let i = 0; i < txs.length; i += 1) {
      if (p2pCandidate[i] === 0) continue;
      payers.add(poolOf[i]);
      credits += 1;
    }
    p2pBusiness =
      payers.size >= p2p.businessMinPayers && nSlots > 0 && new Dec(credits).div(nSlots).gte(constDec(p2p.businessMinCreditsPerMonth));
  }
  const p2pExclude = p2pCandidate !== null && !p2pBusiness;

  const outlierIds: string[] = [];
  const nonCashByMonth = new Array<number>(nSlots).fill(0);
  const cashByMonth = new Array<number>(nSlots).fill(0);
  const p2pByMonth = new Array<number>(nSlots).fill(0);
  const qualifyingByMonth = [...eligibleByMonth];
  const irregularIds: string[] = [];
  const p2pIds: string[] = [];
  const p2pPayers = new Set<number>();
  let p2pMinor = 0;
  for (let i = 0; i < txs.length; i += 1) {
    const ci = poolOf[i];
    if (ci === -2) continue;
    const t = txs[i];
    const slot = frame.slotOfMonth(months[i]);
    if (isOutlier(i, ci)) {
      if (days[i] >= windowStart) outlierIds.push(t.id);
      if (slot >= 0) qualifyingByMonth[slot] -= t.amountMinor;
      continue;
    }
    if (slot < 0) continue;
    if (p2pExclude && p2pCandidate[i] === 1) {
      p2pIds.push(t.id);
      p2pPayers.add(ci);
      p2pMinor += t.amountMinor;
      p2pByMonth[slot] += t.amountMinor;
      qualifyingByMonth[slot] -= t.amountMinor;
      continue;
    }
    irregularIds.push(t.id);
    if (t.category === 'cash_deposit') cashByMonth[slot] += t.amountMinor;
    else nonCashByMonth[slot] += t.amountMinor;
  }
  const irregular0 = irregularIncome(nonCashByMonth, cashByMonth, nSlots, ip);
  const { months: irregularMonths, cv, method, base, weighted: weightedIrregular, weightedMedian: weightedIrregularMedian } = irregular0;
  // Irregular income had the person-to-person credits counted (only computed when some were excluded).
  const withP2p =
    p2pMinor > 0
      ? irregularIncome(
          nonCashByMonth.map((v, s) => v + p2pByMonth[s]),
          cashByMonth,
          nSlots,
          ip,
        )
      : irregular0;

  streamsOut.sort(
    (a, b) =>
      b.countedMonthlyMinor - a.countedMonthlyMinor ||
      (a.firstDate < b.firstDate ? -1 : a.firstDate > b.firstDate ? 1 : 0) ||
      (a.label < b.label ? -1 : 1),
  );
  streamsOut.forEach((s, k) => (s.id = `S${k + 1}`));

  let regularAll = 0;
  let regularSalary = 0;
  let estimateAll = 0;
  let estimateSalary = 0;
  for (const s of streamsOut) {
    regularAll += s.countedMonthlyMinor;
    if (s.isSalary) regularSalary += s.countedMonthlyMinor;
    if (s.status === 'ACTIVE' && s.frequency !== 'irregular') {
      estimateAll += s.monthlyAmountMinor;
      if (s.isSalary) estimateSalary += s.monthlyAmountMinor;
    }
  }
  const uncapped = regularAll + weightedIrregular;
  const regular = passThrough ? regularSalary : regularAll;
  const irregular = passThrough ? 0 : weightedIrregular;
  if (ip.missedSalaryBusinessDays !== undefined) markMissedSalaries(streamsOut, frame.asOfDay, ip.missedSalaryBusinessDays);
  const excluded: IncomeResult['excluded'] = {
    neverIncomeMinor: neverMinor,
    neverIncomeTransactionIds: neverIds,
    outlierTransactionIds: outlierIds,
    outlierThresholdMinor,
  };
  if (p2p) {
    excluded.personToPerson = { amountMinor: p2pMinor, payers: p2pPayers.size, transactionIds: p2pIds, businessPattern: p2pBusiness };
  }

  return {
    result: {
      verifiedMonthlyMinor: regular + irregular,
      estimatedMonthlyMinor: passThrough ? estimateSalary : estimateAll + base,
      regularMonthlyMinor: regular,
      irregularMonthlyMinor: irregular,
      streams: streamsOut,
      irregular: {
        months: irregularMonths.map((amountMinor, s) => ({ month: monthKey(frame.analysedMonths[s]), amountMinor })),
        method,
        cv: toRatio(cv),
        baseMonthlyMinor: base,
        weight: ip.irregularWeight,
        weightedMonthlyMinor: weightedIrregular,
        transactionIds: irregularIds,
      },
      excluded,
      cappedByPassThrough: passThrough && uncapped !== regular + irregular,
    },
    qualifyingByMonth,
    uncappedVerifiedMonthlyMinor: uncapped,
    medianBasedVerifiedMonthlyMinor: (passThrough ? regularSalary : regularAll) + (passThrough ? 0 : weightedIrregularMedian),
    personToPersonByMonth: p2pByMonth,
    withPersonToPersonVerifiedMonthlyMinor: regular + (passThrough ? 0 : withP2p.weighted),
  };
}

interface IrregularIncome {
  months: number[];
  cv: Dec;
  method: IncomeResult['irregular']['method'];
  base: number;
  weighted: number;
  weightedMedian: number;
}

/** Irregular income from its monthly totals: the median month, or a low percentile when the months vary widely. */
function irregularIncome(
  nonCashByMonth: readonly number[],
  cashByMonth: readonly number[],
  nSlots: number,
  ip: Policy['income'],
): IrregularIncome {
  const cashWeight = constDec(ip.cashDepositWeight);
  const months = nonCashByMonth.map((v, s) => toMinor(new Dec(v).plus(cashWeight.times(cashByMonth[s]))));
  const cv = cvDec(months);
  const anyIrregular = nSlots >= ip.irregularMinMonths && months.some((v) => v > 0);
  const unstable = cv.gt(constDec(ip.irregularCvThreshold));
  const method = !anyIrregular ? 'none' : unstable ? 'p25' : 'median';
  const medianBase = toMinor(medianDec(months));
  const base =
    method === 'p25' ? toMinor(percentileDec(months, constDec(ip.irregularLowPercentile))) : method === 'median' ? medianBase : 0;
  const irregularWeight = constDec(ip.irregularWeight);
  return {
    months,
    cv,
    method,
    base,
    weighted: toMinor(irregularWeight.times(base)),
    weightedMedian: anyIrregular ? toMinor(irregularWeight.times(medianBase)) : 0,
  };
}

const P2P_CATEGORIES: ReadonlySet<string> = new Set(['transfer_in', 'other']);

/**
 * Marks (1) the analysed-window credits that are person-to-person and could be excluded: pooled (not part of a
 * regular stream), not an outlier, a transfer_in/other credit whose payer cluster has no stream, whose key reads
 * as an individual's name and which carries no salary evidence. null when the borrower has no counted regular
 * stream (then such credits stay irregular income, as for a trader or a gig worker).
 */
function personToPersonCandidates(
  frame: Frame,
  poolOf: Int32Array,
  clusters: readonly Cluster[],
  keywordOf: (i: number) => boolean,
  isOutlier: (i: number, ci: number) => boolean,
  streams: readonly IncomeStream[],
): Uint8Array | null {
  if (!streams.some((s) => s.status === 'ACTIVE' && s.frequency !== 'irregular' && s.countedMonthlyMinor > 0)) return null;
  const { txs, keys, months } = frame;
  const out = new Uint8Array(txs.length);
  for (let i = 0; i < txs.length; i += 1) {
    const ci = poolOf[i];
    if (ci < 0 || clusters[ci].hasStream) continue;
    if (!P2P_CATEGORIES.has(txs[i].category) || frame.slotOfMonth(months[i]) < 0 || isOutlier(i, ci)) continue;
    if (!isPersonPayer(keys[i], txs[i].counterparty ?? txs[i].narration) || keywordOf(i)) continue;
    out[i] = 1;
  }
  return out;
}

/**
 * A stream the borrower is paid by like a salary: a salary keyword, or (engine 1.4.0) a MATURE monthly stream from a
 * business payer (an employer paying by plain transfer writes no SALARY in the narration: `NIP/<BANK>/<EMPLOYER LTD>`).
 */
function salaryLike(s: IncomeStream): boolean {
  return s.isSalary || (s.frequency === 'monthly' && s.maturity === 'MATURE' && counterpartyKind(s.counterparty) === 'business');
}

/**
 * Sets `missed` on every stream: for an ACTIVE regular salary-like stream whose predicted pay day is more than
 * `maxBusinessDays` business days (Nigerian calendar) before asOf — counting the business days after the
 * predicted day and before asOf, on which the payment could have arrived — `{ expectedDate, businessDaysLate }`;
 * else null. A salary replaced by another salary-like stream paid after it (an employer change) is not missed.
 */
function markMissedSalaries(streams: IncomeStream[], asOfDay: number, maxBusinessDays: number): void {
  for (const s of streams) {
    s.missed = null;
    if (!salaryLike(s) || s.status !== 'ACTIVE' || s.frequency === 'irregular' || s.predictedNextDate === null) continue;
    const expected = toDay(s.predictedNextDate);
    let late = 0;
    for (let d = expected + 1; d < asOfDay; d += 1) if (isBusinessDay(d)) late += 1;
    if (late <= maxBusinessDays) continue;
    const replaced = streams.some(
      (o) => o !== s && salaryLike(o) && o.status === 'ACTIVE' && o.frequency !== 'irregular' && o.lastDate > s.lastDate,
    );
    if (!replaced) s.missed = { expectedDate: s.predictedNextDate, businessDaysLate: late };
  }
}

/** Sorts indices in place (ascending), skipping the sort when they already are (a payer with a single key). */
function sortedAscending(xs: number[]): number[] {
  for (let k = 1; k < xs.length; k += 1) if (xs[k] < xs[k - 1]) return xs.sort((a, b) => a - b);
  return xs;
}

/** A payer behind at least 10% of the analysed window's income-eligible credits. */
function isMajorPayer(occ: readonly Occurrence[], frame: Frame, eligibleTotal: number): boolean {
  let total = 0;
  for (const o of occ) if (frame.slotOfMonth(monthIndexOfDay(o.day)) >= 0) total += o.amount;
  return eligibleTotal > 0 && total * 10 >= eligibleTotal;
}

function occurrenceDays(occ: readonly Occurrence[]): number[] {
  const out = new Array<number>(occ.length);
  for (let k = 0; k < occ.length; k += 1) out[k] = occ[k].day;
  return out;
}

/** Salary evidence on any transaction behind the occurrences (in date order, stopping at the first). */
function anyKeyword(
  occ: readonly Occurrence[],
  txs: readonly NormalisedTransaction[],
  keys: readonly string[],
  m: KeywordMatcher,
): boolean {
  for (const o of occ) for (const i of o.idx) if (hasKeyword(txs[i], m, keys[i])) return true;
  return false;
}

// Confidence weights (research §4a step 7) and the CV at which amount stability reaches 0, parsed once.
const W_REGULARITY = new Dec('0.30');
const W_STABILITY = new Dec('0.25');
const W_COVERAGE = new Dec('0.20');
const W_KEYWORD = new Dec('0.15');
const W_RECENCY = new Dec('0.10');
const CV_FULL_SCALE = new Dec('0.5');

function evaluateStream(s: StreamCandidate, frame: Frame, policy: Policy, allowIrregular: boolean): IncomeStream | null {
  const ip = policy.income;
  const { txs, keys } = frame;
  if (s.occ.length < 2) return null;
  const matcher = matcherFor(ip);
  // The cheaper test first: a MATURE candidate is rejected on its cadence alone, an EARLY one on its keyword.
  let maturity: StreamMaturity;
  let keyword: boolean;
  let cadence: ReturnType<typeof detectCadence>;
  if (s.occ.length >= ip.minOccurrencesMature) {
    maturity = 'MATURE';
    cadence = detectCadence(occurrenceDays(s.occ));
    if (cadence.frequency === 'irregular' && !allowIrregular) return null;
    keyword = anyKeyword(s.occ, txs, keys, matcher);
  } else {
    keyword = anyKeyword(s.occ, txs, keys, matcher);
    if (!keyword) return null;
    maturity = 'EARLY';
    cadence = detectCadence(occurrenceDays(s.occ));
    if (cadence.frequency === 'irregular' && !allowIrregular) return null;
  }
  const allIdx: number[] = [];
  for (const o of s.occ) for (const i of o.idx) allIdx.push(i);
  const m = cadence.frequency === 'irregular' ? cadence.medianGapDays : periodDays(cadence);
  const lastDay = s.occ[s.occ.length - 1].day;
  const daysSince = frame.asOfDay - lastDay;
  const grace = Math.max(7, 0.5 * m);
  let status: StreamStatus = daysSince <= m + grace ? 'ACTIVE' : 'INACTIVE';
  if (status === 'INACTIVE' && maturity === 'EARLY') status = 'TOMBSTONED';

  const current = s.occ.slice(s.changeAt);
  const typical = medianDec(current.slice(-6).map((o) => o.amount));
  const factor = monthlyFactor(cadence.frequency);
  const normalised = typical.times(factor);

  // Monthly totals over analysed months since the current band started (so a raise is not averaged away).
  const nSlots = frame.analysedMonths.length;
  const totals = new Array<number>(nSlots).fill(0);
  for (const o of s.occ) {
    const slot = frame.slotOfMonth(monthIndexOfDay(o.day));
    if (slot >= 0) totals[slot] += o.amount;
  }
  const slotFrom = (day: number): number => {
    const mi = monthIndexOfDay(day);
    if (nSlots === 0 || mi > frame.analysedMonths[nSlots - 1]) return nSlots;
    return Math.max(0, mi - frame.analysedMonths[0]);
  };
  const hist = totals.slice(slotFrom(current[0].day));
  let monthly = normalised;
  if (hist.length > 0) monthly = minDec(normalised, minDec(medianDec(hist.slice(-3)), meanDec(hist.slice(-6))));
  const monthlyMinor = toMinor(monthly);

  // Confidence components (research §4a step 7).
  const streamHist = totals.slice(slotFrom(s.occ[0].day));
  const withIncome = streamHist.filter((v) => v > 0).length;
  const expected = cadence.frequency === 'quarterly' ? Math.ceil(streamHist.length / 3) : streamHist.length;
  const coverage = expected > 0 ? clamp01(new Dec(withIncome).div(expected)) : ZERO;
  const regularity = new Dec(cadence.regularity);
  const amountStability = ONE.minus(minDec(ONE, cvDec(current.map((o) => o.amount)).div(CV_FULL_SCALE)));
  const kw = keyword ? ONE : ZERO;
  const recency = clamp01(ONE.minus(new Dec(Math.max(0, daysSince - m)).div(grace)));
  const confidence = regularity
    .times(W_REGULARITY)
    .plus(amountStability.times(W_STABILITY))
    .plus(coverage.times(W_COVERAGE))
    .plus(kw.times(W_KEYWORD))
    .plus(recency.times(W_RECENCY));
  const confidenceR = new Dec(toRatio(confidence));

  const w = ip.weights;
  let weight = ZERO;
  if (status === 'ACTIVE' && cadence.frequency !== 'irregular') {
    if (maturity === 'EARLY') weight = constDec(w.early);
    else if (confidenceR.gte(constDec(w.matureMinConfidence))) weight = constDec(w.mature);
    else if (confidenceR.gte(constDec(w.matureReducedMinConfidence))) weight = constDec(w.matureReduced);
  }
  const nextDay = status === 'ACTIVE' ? predictNextDay(cadence) : null;
  const accountIds = [...new Set(allIdx.map((i) => txs[i].accountId))].sort();
  const labelCounts = new Map<string, number>();
  for (const i of allIdx) labelCounts.set(keys[i], (labelCounts.get(keys[i]) ?? 0) + 1);
  const label = sortSmall([...labelCounts.entries()], (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];

  return {
    id: '',
    label,
    counterparty: s.cluster.label,
    accountIds,
    frequency: cadence.frequency,
    medianGapDays: cadence.medianGapDays,
    payDayStdevDays: cadence.payDayStdevDays,
    maturity,
    status,
    occurrences: s.occ.length,
    firstDate: fromDay(s.occ[0].day),
    lastDate: fromDay(lastDay),
    predictedNextDate: nextDay === null ? null : fromDay(nextDay),
    typicalAmountMinor: toMinor(typical),
    normalisedMonthlyMinor: toMinor(normalised),
    monthlyAmountMinor: monthlyMinor,
    weight: weight.toFixed(2),
    countedMonthlyMinor: toMinor(weight.times(monthlyMinor)),
    confidence: toRatio(confidence),
    confidenceComponents: {
      regularity: toRatio(regularity),
      amountStability: toRatio(amountStability),
      coverage: toRatio(coverage),
      keywordOrEmployer: toRatio(kw),
      recency: toRatio(recency),
    },
    isSalary: keyword,
    amountChanged:
      s.changeAt > 0 && s.previousTypical !== null
        ? { date: fromDay(s.occ[s.changeAt].day), fromMinor: s.previousTypical, toMinor: toMinor(typical) }
        : null,
    transactionIds: allIdx.map((i) => txs[i].id),
  };
}
