/**
 * Test support (never imported by production code, so the pure engine does not depend on the sandbox).
 * Loads a sandbox persona for a scenario spec: the committed fixture `test/fixtures/personas/<name>.json`
 * (+ `<name>.labels.json`) when present, else the seeded generator with the same defaults (asOf 2026-10-31),
 * then runs the production path: normaliseMonoExport → underwrite → toUnderwritingOutput.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normaliseMonoExport } from '../../src/ingestion/normalise/index.js';
import { generatePersona, type GroundTruth, type PersonaName } from '../../src/sandbox/personas/index.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { toUnderwritingOutput, type UnderwritingOutput } from '../../src/scoring/engine/output.js';
import type { EngineResult } from '../../src/scoring/engine/types.js';
import { underwrite } from '../../src/scoring/engine/underwrite.js';

export const PERSONA_AS_OF = '2026-10-31';
const FIXTURES = fileURLToPath(new URL('../fixtures/personas/', import.meta.url));

export interface PersonaRun {
  input: unknown;
  labels: GroundTruth;
  applicantName: string | null;
  result: EngineResult;
  output: UnderwritingOutput;
  source: 'fixture' | 'generator';
}

function fromFixture(name: PersonaName): { input: unknown; labels: GroundTruth } | null {
  const data = `${FIXTURES}${name}.json`;
  const labels = `${FIXTURES}${name}.labels.json`;
  if (!existsSync(data) || !existsSync(labels)) return null;
  return { input: JSON.parse(readFileSync(data, 'utf8')) as unknown, labels: JSON.parse(readFileSync(labels, 'utf8')) as GroundTruth };
}

export function runPersona(name: PersonaName): PersonaRun {
  let source: PersonaRun['source'] = 'fixture';
  let loaded = fromFixture(name);
  let applicantName: string | null = null;
  if (!loaded) {
    source = 'generator';
    const p = generatePersona(name, { asOf: PERSONA_AS_OF });
    const accounts = [
      { account: p.account, transactions: p.transactions },
      ...p.extraAccounts.map((a) => ({ account: a.account, transactions: a.transactions })),
    ];
    loaded = { input: accounts.length === 1 ? accounts[0] : accounts, labels: p.labels };
    applicantName = p.identity.full_name;
  }
  const asOf = loaded.labels.asOf ?? PERSONA_AS_OF;
  const n = normaliseMonoExport(loaded.input, asOf);
  const result = underwrite({ accounts: n.accounts, transactions: n.transactions, asOf, policy: DEFAULT_POLICY });
  return { input: loaded.input, labels: loaded.labels, applicantName, result, output: toUnderwritingOutput(result), source };
}

/** |estimate − truth| / truth. */
export function relativeError(estimate: number, truth: number): number {
  return Math.abs(estimate - truth) / truth;
}

/** The figures each persona scenario pins exactly: decision, limit, income, obligations, coverage, flags, reasons, streams. */
export function pinnedSummary(output: UnderwritingOutput) {
  return {
    decision: output.decision,
    recommendedLimit: output.recommendedLimit,
    bindingConstraint: output.bindingConstraint,
    instalment: output.instalment,
    verifiedMonthly: output.income.verifiedMonthly,
    monthlyEstimate: output.income.monthlyEstimate,
    regularMonthly: output.income.regularMonthly,
    obligationsMonthlyTotal: output.obligations.monthlyTotal,
    completeMonths: output.coverage.months,
    flags: output.flags,
    reasons: output.reasons.map((r) => r.code),
    streams: output.income.streams.map((s) => ({
      label: s.label,
      frequency: s.frequency,
      status: s.status,
      maturity: s.maturity,
      monthlyAmount: s.monthlyAmount,
    })),
  };
}

/** Ids of the labelled (non-irregular) income payments that no detected regular stream contains. */
export function missedStreamPayments(output: UnderwritingOutput, labels: GroundTruth): string[] {
  const detected = new Set(output.income.streams.filter((s) => s.frequency !== 'irregular').flatMap((s) => s.transactionIds));
  const truth = labels.incomeStreams.filter((s) => s.frequency !== 'irregular').flatMap((s) => s.transactionIds);
  return truth.filter((id) => !detected.has(id));
}
