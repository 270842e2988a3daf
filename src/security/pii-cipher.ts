import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ValueTransformer } from 'typeorm';

/**
 * Field-level encryption at rest for personal data (BVN, account numbers, phone numbers): AES-256-GCM with a
 * random 96-bit IV per value. Stored form: `enc:v1:<keyId>:<base64(iv | tag | ciphertext)>`.
 *
 * Rotation: the FIRST configured key encrypts; every configured key decrypts (matched by id). Add a new key in
 * front, restart, run `npm run pii:rotate` to re-encrypt old rows, then drop the old key (docs/security.md).
 *
 * TypeORM column transformers are static, so the keyring is process-wide, configured once at start-up.
 */
export interface PiiKey {
  id: string;
  key: Buffer;
}

const PREFIX = 'enc:v1:';
let keyring: PiiKey[] = [];

export function configurePiiKeys(keys: PiiKey[]): void {
  for (const k of keys) {
    if (k.key.length !== 32) throw new Error(`PII key ${k.id} must be 32 bytes`);
    if (!/^[A-Za-z0-9_-]+$/.test(k.id)) throw new Error(`PII key id ${k.id} must be [A-Za-z0-9_-]+`);
  }
  keyring = [...keys];
}

export function piiKeyIds(): string[] {
  return keyring.map((k) => k.id);
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function encryptPii(plain: string): string {
  const current = keyring[0];
  if (!current) throw new Error('PII encryption keys are not configured');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${PREFIX}${current.id}:${Buffer.concat([iv, tag, body]).toString('base64')}`;
}

export function decryptPii(stored: string): string {
  if (!isEncrypted(stored)) return stored; // rows written before encryption was enabled
  const rest = stored.slice(PREFIX.length);
  const sep = rest.indexOf(':');
  const keyId = rest.slice(0, sep);
  const key = keyring.find((k) => k.id === keyId);
  if (!key) throw new Error(`PII key ${keyId} is not configured: cannot decrypt`);
  const raw = Buffer.from(rest.slice(sep + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** Column transformer: encrypt on write, decrypt on read; null stays null. */
export const piiTransformer: ValueTransformer = {
  to: (value: string | null | undefined) => (value === null || value === undefined ? value : encryptPii(value)),
  from: (value: string | null) => (value === null || value === undefined ? value : decryptPii(value)),
};

/** Masks all but the last `visible` characters: "22212345678" → "*******5678". */
export function maskTail(value: string | null | undefined, visible = 4): string | null {
  if (value === null || value === undefined) return null;
  if (value.length <= visible) return '*'.repeat(value.length);
  return '*'.repeat(value.length - visible) + value.slice(-visible);
}
