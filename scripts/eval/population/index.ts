/**
 * Population evaluation: generate the borrowers, run each through the real offline pipeline (the same calls as
 * scripts/underwrite.ts: normaliseMonoExport → underwrite with DEFAULT_POLICY → toUnderwritingOutput) and score the
 * outputs against the generator's truth.
 */
import { normaliseMonoExport } from '../../../src/ingestion/normalise/index.js';
import { toUnderwritingOutput, underwrite, type UnderwritingOutput } from '../../../src/scoring/engine/index.js';
import { DEFAULT_POLICY } from '../../../src/scoring/policy/index.js';
import { generatePopulation, type GenerateOptions, type PopulationBorrower } from './generate.js';
import { evaluatePopulation, type PopulationReport } from './metrics.js';

export * from './generate.js';
export * from './metrics.js';

export type { UnderwritingOutput };
export type PopulationEvalOptions = GenerateOptions;

/** One borrower through the offline pipeline, as `npm run underwrite -- --input FILE --applicant-name … --amount … --tenor …`. */
export function underwriteBorrower(b: PopulationBorrower, asOf: string): UnderwritingOutput {
  const { accounts, transactions } = normaliseMonoExport(b.exports, asOf);
  const result = underwrite({
    accounts,
    transactions,
    asOf,
    policy: DEFAULT_POLICY,
    ...(b.requestedLoan ? { requestedLoan: { amountMinor: b.requestedLoan.amountMinor, tenorMonths: b.requestedLoan.tenorMonths } } : {}),
    context: { applicantName: b.applicantName },
  });
  return toUnderwritingOutput(result);
}

export function runPopulationEval(opts: PopulationEvalOptions): { borrowers: PopulationBorrower[]; report: PopulationReport } {
  const borrowers = generatePopulation(opts);
  const report = evaluatePopulation(borrowers, (b) => underwriteBorrower(b, opts.asOf));
  return { borrowers, report };
}
