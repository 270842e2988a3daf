/** Where the evaluations find their inputs (the real-statement file lives outside the repository, in ../shared). */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const DEFAULT_REAL_FILE = resolve(REPO_ROOT, '..', 'shared', 'real-narrations-dev.tsv');
export const DEFAULT_CORPUS_FILE = join(HERE, 'corpus', 'narrations.tsv');
