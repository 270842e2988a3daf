/**
 * Loads the editable JSON dictionaries beside this file and validates them.
 *
 * Read with `fs` relative to `import.meta.url` (it works the same in jest, under @swc-node/register and in `nest build`
 * output, where nest-cli copies `**\/*.json` assets beside the compiled files), so that the files are re-read and
 * validated with a useful error naming the file rather than failing at import time. (Import attributes now survive
 * @swc/jest too — `keepImportAttributes` in jest.config.js — so this is a choice, not a workaround.)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { TRANSACTION_CATEGORIES, type Direction, type TransactionCategory } from '../../common/domain/transaction.js';

export interface DictionaryEntry {
  id: string;
  name: string;
  patterns: RegExp[];
}

export interface KeywordRule {
  id: string;
  phase: 'pre' | 'post';
  category: TransactionCategory;
  direction: Direction | null;
  patterns: RegExp[];
}

export interface Dictionaries {
  lenders: DictionaryEntry[];
  betting: DictionaryEntry[];
  wallets: DictionaryEntry[];
  walletTopupPatterns: RegExp[];
  keywords: KeywordRule[];
  /** Per-file `version` fields, for the audit trail. */
  versions: { lenders: string; betting: string; wallets: string; keywords: string };
  /** sha256 of the canonical (key-sorted) content of all four files, first 12 hex characters. */
  dictionaryVersion: string;
}

/** Raw file contents, keyed by file stem; lets tests validate hand-made (possibly broken) dictionaries. */
export interface RawDictionaryFiles {
  lenders: unknown;
  betting: unknown;
  wallets: unknown;
  keywords: unknown;
}

export class DictionaryError extends Error {
  constructor(file: string, problem: string) {
    super(`dictionary ${file}: ${problem}`);
    this.name = 'DictionaryError';
  }
}

const FILES = ['lenders', 'betting', 'wallets', 'keywords'] as const;

type Obj = Record<string, unknown>;

function asObject(value: unknown, file: string, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DictionaryError(file, `${where} must be an object`);
  }
  return value as Obj;
}

function asString(value: unknown, file: string, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DictionaryError(file, `${where} must be a non-empty string`);
  return value;
}

function asArray(value: unknown, file: string, where: string): unknown[] {
  if (!Array.isArray(value)) throw new DictionaryError(file, `${where} must be an array`);
  return value;
}

function compilePatterns(value: unknown, file: string, where: string): RegExp[] {
  const list = asArray(value, file, where);
  if (list.length === 0) throw new DictionaryError(file, `${where} must not be empty`);
  return list.map((p, i) => {
    const source = asString(p, file, `${where}[${i}]`);
    try {
      return new RegExp(source, 'i');
    } catch (error) {
      throw new DictionaryError(file, `${where}[${i}] is not a valid regular expression: ${(error as Error).message}`);
    }
  });
}

function parseEntries(raw: unknown, file: string, listKey: string): DictionaryEntry[] {
  const list = asArray(asObject(raw, file, 'file')[listKey], file, listKey);
  const seen = new Set<string>();
  return list.map((item, i) => {
    const entry = asObject(item, file, `${listKey}[${i}]`);
    const id = asString(entry.id, file, `${listKey}[${i}].id`);
    if (seen.has(id)) throw new DictionaryError(file, `duplicate id "${id}"`);
    seen.add(id);
    return {
      id,
      name: asString(entry.name, file, `${listKey}[${i}].name`),
      patterns: compilePatterns(entry.patterns, file, `${listKey}[${i}].patterns`),
    };
  });
}

function parseKeywordRules(raw: unknown): KeywordRule[] {
  const file = 'keywords';
  const list = asArray(asObject(raw, file, 'file').rules, file, 'rules');
  const seen = new Set<string>();
  return list.map((item, i) => {
    const rule = asObject(item, file, `rules[${i}]`);
    const id = asString(rule.id, file, `rules[${i}].id`);
    if (seen.has(id)) throw new DictionaryError(file, `duplicate rule id "${id}"`);
    seen.add(id);
    const category = asString(rule.category, file, `rules[${i}].category`);
    if (!(TRANSACTION_CATEGORIES as readonly string[]).includes(category)) {
      throw new DictionaryError(file, `rules[${i}].category "${category}" is not a known category`);
    }
    if (rule.phase !== 'pre' && rule.phase !== 'post') throw new DictionaryError(file, `rules[${i}].phase must be "pre" or "post"`);
    const direction = rule.direction ?? null;
    if (direction !== null && direction !== 'credit' && direction !== 'debit') {
      throw new DictionaryError(file, `rules[${i}].direction must be "credit", "debit" or absent`);
    }
    return {
      id,
      phase: rule.phase,
      category: category as TransactionCategory,
      direction,
      patterns: compilePatterns(rule.patterns, file, `rules[${i}].patterns`),
    };
  });
}

/** JSON with object keys sorted, so the hash does not depend on formatting or key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const obj = value as Obj;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Validates raw dictionary contents; throws `DictionaryError` naming the file and field on any problem. */
export function buildDictionaries(raw: RawDictionaryFiles): Dictionaries {
  const versions = {
    lenders: asString(asObject(raw.lenders, 'lenders', 'file').version, 'lenders', 'version'),
    betting: asString(asObject(raw.betting, 'betting', 'file').version, 'betting', 'version'),
    wallets: asString(asObject(raw.wallets, 'wallets', 'file').version, 'wallets', 'version'),
    keywords: asString(asObject(raw.keywords, 'keywords', 'file').version, 'keywords', 'version'),
  };
  const walletsFile = asObject(raw.wallets, 'wallets', 'file');
  const hash = createHash('sha256')
    .update(canonical(FILES.map((f) => raw[f])))
    .digest('hex');
  return {
    lenders: parseEntries(raw.lenders, 'lenders', 'lenders'),
    betting: parseEntries(raw.betting, 'betting', 'operators'),
    wallets: parseEntries(raw.wallets, 'wallets', 'wallets'),
    walletTopupPatterns: compilePatterns(walletsFile.topupPatterns, 'wallets', 'topupPatterns'),
    keywords: parseKeywordRules(raw.keywords),
    versions,
    dictionaryVersion: hash.slice(0, 12),
  };
}

function readJson(file: string): unknown {
  const url = new URL(`./dictionaries/${file}.json`, import.meta.url);
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (error) {
    throw new DictionaryError(file, `cannot read ${url.pathname}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DictionaryError(file, `invalid JSON: ${(error as Error).message}`);
  }
}

let cached: Dictionaries | undefined;

/** The shipped dictionaries, validated once per process. */
export function loadDictionaries(): Dictionaries {
  cached ??= buildDictionaries({
    lenders: readJson('lenders'),
    betting: readJson('betting'),
    wallets: readJson('wallets'),
    keywords: readJson('keywords'),
  });
  return cached;
}

export function matchEntry(entries: readonly DictionaryEntry[], text: string): DictionaryEntry | null {
  return entries.find((e) => e.patterns.some((p) => p.test(text))) ?? null;
}
