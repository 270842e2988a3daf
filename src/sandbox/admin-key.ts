import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';

/** The header the sandbox admin API (`/sandbox/*`) reads its key from. */
export const SANDBOX_ADMIN_KEY_HEADER = 'x-sandbox-admin-key';

/** Where a generated sandbox admin key is kept (owner-only), so it survives restarts and scripts can read it. */
export function sandboxAdminKeyFile(config: AppConfig): string {
  return path.join(config.database.dataDir, 'sandbox-admin-key.json');
}

/**
 * The admin key of the sandbox `npm start` and `npm run sandbox` run: MONO_SANDBOX_ADMIN_KEY when set, null when
 * MONO_SANDBOX_ADMIN_OPEN=true (open, explicitly), else the key in DATA_DIR/sandbox-admin-key.json, generated (0600)
 * on first use. Never logged: callers name the file, not the key.
 */
export function resolveSandboxAdminKey(config: AppConfig): { key: string | null; file: string | null } {
  if (config.mono.sandboxAdminOpen) return { key: null, file: null };
  if (config.mono.sandboxAdminKey) return { key: config.mono.sandboxAdminKey, file: null };
  const file = sandboxAdminKeyFile(config);
  if (fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown };
    if (typeof stored.key === 'string' && /^[A-Za-z0-9_-]{16,}$/.test(stored.key)) return { key: stored.key, file };
  }
  const key = randomBytes(24).toString('base64url');
  fs.mkdirSync(config.database.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify({ key, header: SANDBOX_ADMIN_KEY_HEADER }, null, 2) + '\n', { mode: 0o600 });
  return { key, file };
}
