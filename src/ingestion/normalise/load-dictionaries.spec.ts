import { describe, expect, it } from '@jest/globals';

import { buildDictionaries, DictionaryError, loadDictionaries, type RawDictionaryFiles } from './load-dictionaries.js';

const minimal = (): RawDictionaryFiles => ({
  lenders: { version: '1', lenders: [{ id: 'carbon', name: 'Carbon', patterns: ['\\bCARBON\\b'] }] },
  betting: { version: '1', operators: [{ id: 'bet9ja', name: 'Bet9ja', patterns: ['BET9JA'] }] },
  wallets: { version: '1', wallets: [{ id: 'opay', name: 'OPay', patterns: ['OPAY'] }], topupPatterns: ['TOP UP'] },
  keywords: {
    version: '1',
    rules: [{ id: 'salary.keyword', phase: 'post', category: 'salary', direction: 'credit', patterns: ['SALARY'] }],
  },
});

describe(loadDictionaries.name, () => {
  it('should load and validate the shipped dictionaries with a 12-hex combined version', () => {
    const dictionaries = loadDictionaries();
    expect(dictionaries.dictionaryVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(dictionaries.lenders.map((l) => l.id)).toEqual(
      expect.arrayContaining([
        'carbon',
        'fairmoney',
        'branch',
        'palmcredit',
        'aella',
        'quickcheck',
        'migo',
        'okash',
        'lcredit',
        'renmoney',
        'easemoni',
        'kuda_overdraft',
      ]),
    );
    expect(dictionaries.betting.map((b) => b.id)).toEqual(
      expect.arrayContaining(['bet9ja', 'sportybet', 'betking', 'nairabet', '1xbet', 'msport', 'bangbet', 'betway', 'merrybet']),
    );
    expect(dictionaries.wallets.map((w) => w.id)).toEqual(expect.arrayContaining(['opay', 'palmpay', 'kuda', 'moniepoint']));
    expect(Object.values(dictionaries.versions).every((v) => v.length > 0)).toBe(true);
  });
});

describe(buildDictionaries.name, () => {
  it('should hash canonical content, independent of key order', () => {
    const a = minimal();
    const b = minimal();
    b.lenders = { lenders: [{ patterns: ['\\bCARBON\\b'], name: 'Carbon', id: 'carbon' }], version: '1' };
    expect(buildDictionaries(a).dictionaryVersion).toBe(buildDictionaries(b).dictionaryVersion);
    b.lenders = { version: '2', lenders: [{ id: 'carbon', name: 'Carbon', patterns: ['\\bCARBON\\b'] }] };
    expect(buildDictionaries(a).dictionaryVersion).not.toBe(buildDictionaries(b).dictionaryVersion);
  });

  it.each<[string, (raw: RawDictionaryFiles) => void, string]>([
    ['a missing version', (raw) => delete (raw.lenders as { version?: string }).version, 'dictionary lenders: version'],
    [
      'an invalid regular expression',
      (raw) => ((raw.betting as { operators: Array<{ patterns: string[] }> }).operators[0].patterns = ['(']),
      'dictionary betting: operators[0].patterns[0] is not a valid regular expression',
    ],
    [
      'an unknown category',
      (raw) => ((raw.keywords as { rules: Array<{ category: string }> }).rules[0].category = 'salaries'),
      'is not a known category',
    ],
    [
      'a duplicate id',
      (raw) => (raw.lenders as { lenders: unknown[] }).lenders.push({ id: 'carbon', name: 'Again', patterns: ['X'] }),
      'duplicate id "carbon"',
    ],
    ['a bad phase', (raw) => ((raw.keywords as { rules: Array<{ phase: string }> }).rules[0].phase = 'later'), 'phase must be'],
    [
      'empty patterns',
      (raw) => ((raw.wallets as { wallets: Array<{ patterns: string[] }> }).wallets[0].patterns = []),
      'must not be empty',
    ],
  ])('should reject %s with a clear error', (_label, mutate, message) => {
    const raw = minimal();
    mutate(raw);
    expect(() => buildDictionaries(raw)).toThrow(DictionaryError);
    expect(() => buildDictionaries(raw)).toThrow(message);
  });
});
