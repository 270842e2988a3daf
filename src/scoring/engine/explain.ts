import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import { prepareTransactions } from './canonical.js';
import { counterpartyKind, type CounterpartyKind } from './counterparty-kind.js';
import { NEVER_INCOME, counterpartyKey } from './frame.js';
import type { EngineResult } from './types.js';

/**
 * How the engine treated one row (CLI `--explain`): what a credit counted as, or why it did not count.
 * `stream:<id>` regular stream (counted or not, see countedAsIncome), `irregular` the irregular pool,
 * `person_to_person` credits from individuals not counted, `outlier`, `never_income` (self-transfer, reversal,
 * loan, betting payout, interest), `not_analysed` an income-eligible credit outside the analysed months,
 * `future` dated on/after asOf, `debit` for every debit.
 */
export type Treatment =
  `stream:${string}` | 'irregular' | 'person_to_person' | 'outlier' | 'never_income' | 'not_analysed' | 'future' | 'debit';

export interface ExplainedTransaction {
  id: string;
  accountId: string;
  date: string;
  /** Integer kobo, always positive (see direction). */
  amount: number;
  direction: NormalisedTransaction['direction'];
  category: NormalisedTransaction['category'];
  /** The categoriser rule that set the category. */
  rule: string;
  /** The counterparty the normaliser read (null when none). */
  counterparty: string | null;
  /** The key the engine grouped payers by, and whether it reads as a person or a business. */
  counterpartyKey: string;
  counterpartyKind: CounterpartyKind;
  treatment: Treatment;
  /** True for rows behind a counted regular stream, or in the irregular pool when irregular income counts. */
  countedAsIncome: boolean;
}

/** One entry per de-duplicated input row, in the engine's canonical order. Pure. */
export function explainTransactions(transactions: readonly NormalisedTransaction[], result: EngineResult): ExplainedTransaction[] {
  const inc = result.income;
  const stream = new Map<string, { id: string; counted: boolean }>();
  for (const s of inc.streams) {
    const counted = s.countedMonthlyMinor > 0 && s.frequency !== 'irregular';
    for (const id of s.transactionIds) if (!stream.has(id) || counted) stream.set(id, { id: s.id, counted });
  }
  const irregular = new Set(inc.irregular.transactionIds);
  const irregularCounts = inc.irregularMonthlyMinor > 0;
  const p2p = new Set(inc.excluded.personToPerson?.transactionIds ?? []);
  const outliers = new Set(inc.excluded.outlierTransactionIds);
  const never = new Set(inc.excluded.neverIncomeTransactionIds);
  return prepareTransactions(transactions).transactions.map((t) => {
    const key = counterpartyKey(t);
    const s = stream.get(t.id);
    let treatment: Treatment;
    if (t.date >= result.asOf) treatment = 'future';
    else if (t.direction === 'debit') treatment = 'debit';
    else if (s && (s.counted || !irregular.has(t.id))) treatment = `stream:${s.id}`;
    else if (irregular.has(t.id)) treatment = 'irregular';
    else if (p2p.has(t.id)) treatment = 'person_to_person';
    else if (outliers.has(t.id)) treatment = 'outlier';
    else if (never.has(t.id) || NEVER_INCOME.has(t.category)) treatment = 'never_income';
    else treatment = 'not_analysed';
    return {
      id: t.id,
      accountId: t.accountId,
      date: t.date,
      amount: t.amountMinor,
      direction: t.direction,
      category: t.category,
      rule: t.categoryRule,
      counterparty: t.counterparty,
      counterpartyKey: key,
      counterpartyKind: counterpartyKind(key),
      treatment,
      countedAsIncome: (s?.counted ?? false) || (treatment === 'irregular' && irregularCounts),
    };
  });
}
