/**
 * Writes the persona fixtures used by tests and the offline CLI:
 *   test/fixtures/personas/<name>.json         { account, transactions } (an array of them for multi-account personas)
 *   test/fixtures/personas/<name>.labels.json  ground truth
 * and prints the categoriser's accuracy against the labels. Deterministic: fixed asOf and per-persona seeds.
 *
 *   node --import @swc-node/register/esm-register scripts/generate-personas.ts [--check]
 * `--check` compares instead of writing and exits 1 when a fixture is stale.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_SEEDS, PERSONA_NAMES, generatePersona, measureCategoriser, personaExport } from '../src/sandbox/personas/index.js';

const AS_OF = '2026-10-31';
const KEY_CATEGORIES = new Set([
  'salary',
  'transfer_in',
  'self_transfer',
  'reversal',
  'loan_disbursement',
  'loan_repayment',
  'betting_stake',
  'betting_payout',
  'rent',
]);
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'personas');

function main(): void {
  const check = process.argv.includes('--check');
  mkdirSync(OUT_DIR, { recursive: true });
  let stale = 0;
  const pct = (x: number | null): string => (x === null ? '  n/a' : `${(x * 100).toFixed(1)}%`.padStart(6));
  for (const name of PERSONA_NAMES) {
    const persona = generatePersona(name, { asOf: AS_OF, seed: DEFAULT_SEEDS[name] });
    const exported = personaExport(persona);
    const files: Array<[string, unknown]> = [
      [`${name}.json`, exported.length === 1 ? exported[0] : exported],
      [`${name}.labels.json`, persona.labels],
    ];
    for (const [file, content] of files) {
      const path = join(OUT_DIR, file);
      const text = `${JSON.stringify(content, null, 1)}\n`;
      if (check) {
        if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
          stale++;
          console.error(`stale: ${path}`);
        }
      } else {
        writeFileSync(path, text);
      }
    }
    const accuracy = measureCategoriser(persona);
    console.log(
      `${name.padEnd(20)} rows=${String(accuracy.transactions).padStart(5)} accuracy=${pct(accuracy.accuracy)} incomeRecall=${pct(accuracy.incomeRecall)}`,
    );
    for (const m of accuracy.perCategory) {
      if (!KEY_CATEGORIES.has(m.category) || m.actual === 0) continue;
      console.log(
        `    ${m.category.padEnd(18)} actual=${String(m.actual).padStart(4)} precision=${pct(m.precision)} recall=${pct(m.recall)}`,
      );
    }
  }
  if (stale > 0) process.exit(1);
}

main();
