import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { InvalidConfigurationError } from '../config/environment.js';
import { configurePiiKeys, type PiiKey } from './pii-cipher.js';

/** A fixed key for tests only (NODE_ENV=test without PII_ENCRYPTION_KEYS). */
const TEST_KEY: PiiKey = { id: 'test', key: Buffer.alloc(32, 7) };

/**
 * Resolves the PII keyring: PII_ENCRYPTION_KEYS when set; in tests a fixed key; in development a key generated
 * once into DATA_DIR/pii-keys.json (so data stays readable across restarts); in production a missing key stops
 * start-up.
 */
export function resolvePiiKeys(config: AppConfig): PiiKey[] {
  if (config.security.piiKeys.length > 0) return config.security.piiKeys;
  if (config.nodeEnv === 'test') return [TEST_KEY];
  if (config.nodeEnv === 'production') {
    throw new InvalidConfigurationError(
      '  PII_ENCRYPTION_KEYS must be set in production (BVN, account and phone numbers are encrypted at rest);\n' +
        '  generate one with: node -e "console.log(\'PII_ENCRYPTION_KEYS=k1:\' + require(\'crypto\').randomBytes(32).toString(\'base64\'))"',
    );
  }
  const file = path.join(config.database.dataDir, 'pii-keys.json');
  if (fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ id: string; key: string }>;
    return stored.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }));
  }
  const generated = [{ id: 'local1', key: randomBytes(32).toString('base64') }];
  fs.mkdirSync(config.database.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(generated, null, 2) + '\n', { mode: 0o600 });
  return generated.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }));
}

export function initialisePiiKeys(config: AppConfig): void {
  configurePiiKeys(resolvePiiKeys(config));
}
