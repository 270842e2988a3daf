/**
 * Offline underwriting of a Mono export file — the same normalisation and engine as the service.
 *
 *   npm run --silent underwrite -- --input FILE [--as-of YYYY-MM-DD] [--amount KOBO --tenor MONTHS] [--rate 0.04]
 *                                  [--policy FILE] [--applicant-name NAME] [--stale] [--json [--explain]]
 *
 * --explain (with --json) adds `transactions`: every de-duplicated row with its category, the categoriser rule, the
 * counterparty, the engine's payer key and its kind, how the engine treated it and whether it counted as income.
 *
 * FILE holds `{ "account": {…Mono v2 account details…}, "transactions": [ …Mono v2 transactions… ] }` or an array
 * of those (several accounts of one borrower). asOf defaults to the day after the latest transaction (Lagos
 * date), never the clock, so the output is reproducible. Exit codes: 0 ok, 2 bad arguments, 3 bad input file.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lagosDate, normaliseMonoExport } from '../src/ingestion/normalise/index.js';
import {
  explainTransactions,
  formatNaira,
  toUnderwritingOutput,
  underwrite,
  validatePolicy,
  type Policy,
  type RequestedLoan,
  type UnderwritingOutput,
} from '../src/scoring/engine/index.js';
import { DEFAULT_POLICY } from '../src/scoring/policy/index.js';

class UsageError extends Error {}
class InputError extends Error {}

const USAGE =
  'usage: underwrite --input FILE [--as-of YYYY-MM-DD] [--amount KOBO --tenor MONTHS] [--rate DECIMAL] [--policy FILE] [--applicant-name NAME] [--stale] [--json [--explain]]';

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) <= 0)
    throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  return Number(value);
}

/** The day after the latest transaction date (Lagos calendar), from the raw export. */
function defaultAsOf(input: unknown): string {
  const items = Array.isArray(input) ? input : [input];
  let latest: string | null = null;
  for (const item of items) {
    const txs = (item as { transactions?: unknown } | null)?.transactions;
    if (!Array.isArray(txs)) continue;
    for (const t of txs) {
      const raw = (t as { date?: unknown } | null)?.date;
      if (typeof raw !== 'string') continue;
      let d: string;
      try {
        d = lagosDate(raw);
      } catch {
        continue;
      }
      if (latest === null || d > latest) latest = d;
    }
  }
  if (latest === null) throw new InputError('the input has no dated transactions; pass --as-of');
  const next = new Date(`${latest}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

function summary(o: UnderwritingOutput): string {
  const lines = [
    `Decision:           ${o.decision.toUpperCase()}`,
    `Recommended limit:  ${formatNaira(o.recommendedLimit)} over ${o.tenorMonths} month(s) at ${o.monthlyRate}/month (instalment ${formatNaira(o.instalment)})`,
    `Binding constraint: ${o.bindingConstraint}${o.postLoanDsr !== null ? `  (post-loan DSR ${o.postLoanDsr})` : ''}`,
  ];
  if (o.requested) {
    lines.push(
      `Requested:          ${formatNaira(o.requested.amount)} over ${o.requested.tenorMonths} month(s): ${o.requested.affordable ? 'affordable' : 'not affordable'}`,
    );
    if (o.counterOffer)
      lines.push(
        `Counter-offer:      ${formatNaira(o.counterOffer.amount)} over ${o.counterOffer.tenorMonths} month(s) (instalment ${formatNaira(o.counterOffer.instalment)})`,
      );
  }
  lines.push(
    `Income:             ${formatNaira(o.income.monthlyEstimate)}/month estimated, ${formatNaira(o.income.verifiedMonthly)}/month verified (regular ${formatNaira(o.income.regularMonthly)}, irregular ${formatNaira(o.income.irregularMonthly)})`,
  );
  for (const s of o.income.streams) {
    lines.push(
      `  ${s.id} ${s.label}: ${s.frequency} ${s.status.toLowerCase()} ${s.maturity.toLowerCase()}, ${formatNaira(s.monthlyAmount)}/month, confidence ${s.confidence}, weight ${s.weight}${s.predictedNextDate ? `, next ${s.predictedNextDate}` : ''}${s.missed ? ` — expected ${s.missed.expectedDate}, not received (${s.missed.businessDaysLate} business days)` : ''}`,
    );
  }
  const p2p = o.income.personToPersonExcluded;
  if (p2p && p2p.amount > 0)
    lines.push(
      `  credits from individuals not counted: ${formatNaira(p2p.amount)} from ${p2p.payers} ${p2p.payers === 1 ? 'person' : 'people'}`,
    );
  lines.push(
    `Obligations:        ${formatNaira(o.obligations.monthlyTotal)}/month to ${o.obligations.lenderCount} lender(s); ${o.obligations.disbursements90d.count} loan disbursement(s) in 90 days`,
  );
  lines.push(
    `Cash flow:          median inflow ${formatNaira(o.cashFlow.medianMonthlyInflow)}, essential outflow ${formatNaira(o.cashFlow.medianEssentialOutflow)}, free cash flow ${formatNaira(o.cashFlow.freeCashFlow)}; trend ${o.cashFlow.trend}`,
  );
  lines.push(
    `Balances (${o.cashFlow.balanceWindowDays} days):  average ${o.cashFlow.averageDailyBalance === null ? 'n/a' : formatNaira(o.cashFlow.averageDailyBalance)}, minimum ${o.cashFlow.minimumDailyBalance === null ? 'n/a' : formatNaira(o.cashFlow.minimumDailyBalance)}, ${o.cashFlow.negativeBalanceDays} negative / ${o.cashFlow.lowBalanceDays} low day(s)`,
  );
  lines.push(
    `Coverage:           ${o.coverage.months} complete month(s), ${o.coverage.firstDate ?? '-'} … ${o.coverage.lastDate ?? '-'}, ${o.coverage.transactionCount} transactions`,
  );
  lines.push(`Flags:              ${o.flags.length ? o.flags.join(', ') : 'none'}`);
  lines.push('Reasons:');
  if (o.reasons.length === 0) lines.push('  none');
  for (const r of o.reasons) {
    lines.push(`  [${r.severity}] ${r.code}: ${r.message}`);
    if (r.counterfactual) lines.push(`      → ${r.counterfactual.message}`);
  }
  lines.push(`as of ${o.asOf} · ${o.policyVersion} · engine ${o.engineVersion} · inputs ${o.inputsHash.slice(0, 16)}…`);
  return lines.join('\n');
}

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        'as-of': { type: 'string' },
        amount: { type: 'string' },
        tenor: { type: 'string' },
        rate: { type: 'string' },
        policy: { type: 'string' },
        'applicant-name': { type: 'string' },
        stale: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        explain: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.input) throw new UsageError('--input FILE is required');
  if (values.explain && !values.json) throw new UsageError('--explain goes with --json');
  const asOfArg = values['as-of'];
  if (asOfArg !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(asOfArg) || Number.isNaN(Date.parse(`${asOfArg}T00:00:00Z`)))) {
    throw new UsageError(`--as-of must be a date YYYY-MM-DD, got '${asOfArg}'`);
  }
  const amount = positiveInt(values.amount, '--amount');
  const tenor = positiveInt(values.tenor, '--tenor');
  if ((amount === undefined) !== (tenor === undefined)) throw new UsageError('--amount and --tenor go together');
  if (values.rate !== undefined && !/^\d+(\.\d+)?$/.test(values.rate))
    throw new UsageError(`--rate must be a decimal such as 0.04, got '${values.rate}'`);

  let policy: Policy = DEFAULT_POLICY;
  if (values.policy) {
    try {
      policy = validatePolicy(readJson(values.policy, 'policy file'));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`policy file ${values.policy}: ${(e as Error).message}`);
    }
  }
  const raw = readJson(values.input, 'input file');
  const asOf = asOfArg ?? defaultAsOf(raw);
  let normalised;
  try {
    normalised = normaliseMonoExport(raw, asOf);
  } catch (e) {
    throw new InputError(`input file ${values.input} is not a Mono export: ${(e as Error).message}`);
  }
  const requestedLoan: RequestedLoan | undefined =
    amount !== undefined && tenor !== undefined
      ? { amountMinor: amount, tenorMonths: tenor, ...(values.rate !== undefined ? { monthlyRate: values.rate } : {}) }
      : undefined;
  const result = underwrite({
    accounts: normalised.accounts,
    transactions: normalised.transactions,
    asOf,
    policy,
    ...(requestedLoan ? { requestedLoan } : {}),
    context: { staleData: values.stale, ...(values['applicant-name'] ? { applicantName: values['applicant-name'] } : {}) },
  });
  const output = toUnderwritingOutput(result);
  const body = values.explain ? { ...output, transactions: explainTransactions(normalised.transactions, result) } : output;
  process.stdout.write(values.json ? `${JSON.stringify(body)}\n` : `${summary(output)}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`underwrite: ${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (e instanceof InputError) {
    process.stderr.write(`underwrite: ${e.message}\n`);
    process.exitCode = 3;
  } else {
    process.stderr.write(`underwrite: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
