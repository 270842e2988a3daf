import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Stable 63-bit key for a lock name, so every instance agrees on the same Postgres advisory lock. */
export function advisoryKey(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').slice(0, 15);
  return BigInt(`0x${hex}`).toString();
}

/**
 * Runs `fn` while holding a session-level advisory lock on one pooled connection. Returns `{ acquired: false }`
 * without running `fn` when another session (any instance) holds it.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  fn: () => Promise<T>,
): Promise<{ acquired: true; result: T } | { acquired: false }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = advisoryKey(name);
  try {
    const rows = (await runner.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])) as Array<{ ok: boolean }>;
    if (!rows[0]?.ok) return { acquired: false };
    try {
      return { acquired: true, result: await fn() };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    }
  } finally {
    await runner.release();
  }
}
