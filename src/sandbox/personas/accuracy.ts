/**
 * Measures the ingestion categoriser against persona ground truth: overall accuracy, per-category precision/recall and
 * the share of true income rows that land in an income-eligible category (`salary` / `transfer_in`).
 */
import { Decimal } from 'decimal.js';

import { TRANSACTION_CATEGORIES, type NormalisedTransaction, type TransactionCategory } from '../../common/domain/transaction.js';
import { normaliseMonoExport } from '../../ingestion/normalise/index.js';
import type { GeneratedPersona } from './types.js';

export interface CategoryMetrics {
  category: TransactionCategory;
  actual: number;
  predicted: number;
  truePositives: number;
  /** null when the denominator is 0. */
  precision: number | null;
  recall: number | null;
}

export interface PersonaAccuracy {
  persona: string;
  transactions: number;
  accuracy: number;
  incomeRecall: number | null;
  perCategory: CategoryMetrics[];
  /** Up to 20 misclassified rows, for debugging dictionaries. */
  errors: Array<{ id: string; narration: string; expected: TransactionCategory; actual: TransactionCategory; rule: string }>;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : new Decimal(num).div(den).toDecimalPlaces(4).toNumber());

export function personaExport(persona: GeneratedPersona): Array<{ account: unknown; transactions: unknown }> {
  return [{ account: persona.account, transactions: persona.transactions }, ...persona.extraAccounts];
}

export function measureCategoriser(persona: GeneratedPersona, normalised?: NormalisedTransaction[]): PersonaAccuracy {
  const rows = normalised ?? normaliseMonoExport(personaExport(persona), persona.labels.asOf).transactions;
  const truth = persona.labels.transactionCategories;
  const income = new Set(persona.labels.incomeTransactionIds);
  let correct = 0;
  let incomeHits = 0;
  const errors: PersonaAccuracy['errors'] = [];
  const counts = new Map<TransactionCategory, { actual: number; predicted: number; tp: number }>(
    TRANSACTION_CATEGORIES.map((c) => [c, { actual: 0, predicted: 0, tp: 0 }]),
  );
  for (const row of rows) {
    const expected = truth[row.providerId];
    counts.get(expected)!.actual++;
    counts.get(row.category)!.predicted++;
    if (expected === row.category) {
      correct++;
      counts.get(expected)!.tp++;
    } else if (errors.length < 20) {
      errors.push({ id: row.providerId, narration: row.narration, expected, actual: row.category, rule: row.categoryRule });
    }
    if (income.has(row.providerId) && (row.category === 'salary' || row.category === 'transfer_in')) incomeHits++;
  }
  return {
    persona: persona.labels.persona,
    transactions: rows.length,
    accuracy: ratio(correct, rows.length) ?? 0,
    incomeRecall: ratio(incomeHits, income.size),
    perCategory: [...counts.entries()]
      .filter(([, c]) => c.actual > 0 || c.predicted > 0)
      .map(([category, c]) => ({
        category,
        actual: c.actual,
        predicted: c.predicted,
        truePositives: c.tp,
        precision: ratio(c.tp, c.predicted),
        recall: ratio(c.tp, c.actual),
      })),
    errors,
  };
}
