import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { TRANSACTION_CATEGORIES, type TransactionCategory } from '../../../src/common/domain/transaction.js';

// Structural invariants of the shipped narration corpus (scripts/eval/corpus/narrations.tsv).
// This spec checks the file, not the categoriser: the eval (`npm run eval`) scores the engine on it.

const HEADER = [
  'id',
  'statement',
  'bank',
  'split',
  'holder',
  'direction',
  'amount_naira',
  'date',
  'narration',
  'label',
  'alt',
  'income',
  'shape',
  'source',
] as const;

type Column = (typeof HEADER)[number];
type Row = Record<Column, string>;

const BANKS = [
  'gtbank',
  'access',
  'zenith',
  'uba',
  'firstbank',
  'fidelity',
  'union',
  'sterling',
  'stanbic',
  'wema',
  'fcmb',
  'ecobank',
  'kuda',
  'opay',
  'moniepoint',
  'palmpay',
];

const CATEGORIES = new Set<string>(TRANSACTION_CATEGORIES);
/** Every category must be present except `other`, which is kept for lines an analyst cannot tell. */
const REQUIRED_CATEGORIES: TransactionCategory[] = TRANSACTION_CATEGORIES.filter((c) => c !== 'other');

const text = readFileSync(new URL('./narrations.tsv', import.meta.url), 'utf8');
const lines = text.split('\n').filter((line) => line.length > 0);
const header = (lines[0] ?? '').split('\t');
const rows: Row[] = lines.slice(1).map((line) => {
  const cells = line.split('\t');
  return Object.fromEntries(HEADER.map((column, i) => [column, cells[i] ?? ''])) as Row;
});

function distinct<T>(values: T[]): Set<T> {
  return new Set(values);
}

describe('narration corpus (narrations.tsv)', () => {
  it('should have the documented header', () => {
    expect(header).toEqual([...HEADER]);
  });

  it('should have exactly one cell per column on every line (no tabs inside fields)', () => {
    const bad = lines.slice(1).filter((line) => line.split('\t').length !== HEADER.length);
    expect(bad).toEqual([]);
  });

  it('should hold at least 600 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(600);
  });

  it('should give every row a unique id of the form C0001', () => {
    expect(rows.every((r) => /^C\d{4}$/.test(r.id))).toBe(true);
    expect(distinct(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('should use only the known banks and cover all 16 of them', () => {
    expect(rows.filter((r) => !BANKS.includes(r.bank)).map((r) => r.id)).toEqual([]);
    expect([...distinct(rows.map((r) => r.bank))].sort()).toEqual([...BANKS].sort());
  });

  it.each(BANKS)('should have both splits and both directions for %s', (bank) => {
    const ofBank = rows.filter((r) => r.bank === bank);
    expect([...distinct(ofBank.map((r) => r.split))].sort()).toEqual(['holdout', 'tune']);
    expect([...distinct(ofBank.map((r) => r.direction))].sort()).toEqual(['credit', 'debit']);
  });

  it('should use only tune/holdout splits, credit/debit directions and yes/no/maybe income', () => {
    expect(rows.filter((r) => r.split !== 'tune' && r.split !== 'holdout').map((r) => r.id)).toEqual([]);
    expect(rows.filter((r) => r.direction !== 'credit' && r.direction !== 'debit').map((r) => r.id)).toEqual([]);
    expect(rows.filter((r) => !['yes', 'no', 'maybe'].includes(r.income)).map((r) => r.id)).toEqual([]);
  });

  it('should never count a debit as income', () => {
    expect(rows.filter((r) => r.direction === 'debit' && r.income !== 'no').map((r) => r.id)).toEqual([]);
  });

  it('should label every row with a valid category and every alt with a valid, different category', () => {
    expect(rows.filter((r) => !CATEGORIES.has(r.label)).map((r) => r.id)).toEqual([]);
    expect(rows.filter((r) => r.alt !== '' && (!CATEGORIES.has(r.alt) || r.alt === r.label)).map((r) => r.id)).toEqual([]);
  });

  it.each(REQUIRED_CATEGORIES)('should contain the category %s', (category) => {
    expect(rows.some((r) => r.label === category)).toBe(true);
  });

  it('should give every row a positive decimal amount in naira', () => {
    const bad = rows.filter((r) => !/^\d+(\.\d{1,2})?$/.test(r.amount_naira) || Number(r.amount_naira) <= 0);
    expect(bad.map((r) => r.id)).toEqual([]);
  });

  it('should date every row in 2026 as an ISO timestamp in UTC', () => {
    const bad = rows.filter((r) => !/^2026-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/.test(r.date) || Number.isNaN(Date.parse(r.date)));
    expect(bad.map((r) => r.id)).toEqual([]);
  });

  it('should give every statement one holder, one bank and one split, in chronological order', () => {
    const byStatement = new Map<string, Row[]>();
    for (const r of rows) byStatement.set(r.statement, [...(byStatement.get(r.statement) ?? []), r]);
    for (const [statement, ofStatement] of byStatement) {
      expect({ statement, holders: distinct(ofStatement.map((r) => r.holder)).size }).toEqual({ statement, holders: 1 });
      expect({ statement, banks: distinct(ofStatement.map((r) => r.bank)).size }).toEqual({ statement, banks: 1 });
      expect({ statement, splits: distinct(ofStatement.map((r) => r.split)).size }).toEqual({ statement, splits: 1 });
      const dates = ofStatement.map((r) => r.date);
      expect({ statement, dates }).toEqual({ statement, dates: [...dates].sort() });
    }
  });

  it('should have 2 to 5 statements per bank with 15 to 60 rows each', () => {
    for (const bank of BANKS) {
      const statements = distinct(rows.filter((r) => r.bank === bank).map((r) => r.statement));
      expect({ bank, statements: statements.size >= 2 && statements.size <= 5 }).toEqual({ bank, statements: true });
      for (const statement of statements) {
        const n = rows.filter((r) => r.statement === statement).length;
        expect({ statement, inRange: n >= 15 && n <= 60 }).toEqual({ statement, inRange: true });
      }
    }
  });

  it('should keep the split near 60/40 tune/holdout', () => {
    const holdout = rows.filter((r) => r.split === 'holdout').length / rows.length;
    expect(holdout).toBeGreaterThanOrEqual(0.3);
    expect(holdout).toBeLessThanOrEqual(0.5);
  });

  it('should give every row a non-empty narration, holder, shape and source', () => {
    const bad = rows.filter((r) => !r.narration.trim() || !r.holder.trim() || !r.shape.trim() || !r.source.trim());
    expect(bad.map((r) => r.id)).toEqual([]);
  });

  it('should cite one source per shape', () => {
    const sources = new Map<string, Set<string>>();
    for (const r of rows) sources.set(r.shape, (sources.get(r.shape) ?? new Set<string>()).add(r.source));
    expect([...sources].filter(([, s]) => s.size !== 1).map(([shape]) => shape)).toEqual([]);
  });
});
