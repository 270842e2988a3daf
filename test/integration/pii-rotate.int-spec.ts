/**
 * `npm run pii:rotate` end to end, in its own process against a migrated database: every encrypted column and every
 * webhook inbox body ends under the newest key — including inbox rows stored before inbox encryption existed, whose
 * personal data was plaintext — and a second run has nothing to do.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { configurePiiKeys, encryptPii, type PiiKey } from '../../src/security/pii-cipher.js';
import { protectPayloadJson, revealPayload } from '../../src/mono/webhook-events.repository.js';
import { createTestDatabase } from '../support/database.js';
import { runScript } from '../support/script-process.js';

const SCRIPT = path.resolve('scripts/pii-rotate.ts');
// Invented keys for this test only: the suite's fixed test key, then a new one put in front.
const OLD: PiiKey = { id: 'test', key: Buffer.alloc(32, 7) };
const NEW: PiiKey = { id: 'rot2', key: Buffer.alloc(32, 11) };
const KEYS_ENV = [NEW, OLD].map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

function rotate(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runScript(SCRIPT, [], { DATABASE_URL: url, PII_ENCRYPTION_KEYS: KEYS_ENV });
}

/** An account_updated body with invented personal data, as Mono sends it (camelCase, `_id`). */
function body(n: number): Record<string, unknown> {
  return {
    event: 'mono.events.account_updated',
    data: {
      account: {
        _id: `acc_rot_${n}`,
        name: `KELECHI ROTATE ${n}`,
        accountNumber: `01234567${n}${n}`,
        bvn: '4321',
        balance: 1000 * n,
        currency: 'NGN',
      },
      meta: { data_status: 'AVAILABLE', auth_method: 'internet_banking' },
    },
  };
}

describe('pii:rotate', () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;

  const insertEvent = async (n: number, payloadJson: string): Promise<void> => {
    await client.query(
      `INSERT INTO webhook_events (provider_event_id, payload_hash, event_type, mono_account_id, payload, status)
       VALUES ($1, $2, 'mono.events.account_updated', $3, $4::jsonb, 'processed')`,
      [`evt-rot-${n}`, createHash('sha256').update(`rot-${n}`).digest('hex'), `acc_rot_${n}`, payloadJson],
    );
  };
  const storedPayloads = async (): Promise<Array<{ provider_event_id: string; payload: Record<string, unknown> }>> =>
    (await client.query(`SELECT provider_event_id, payload FROM webhook_events ORDER BY provider_event_id`)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    configurePiiKeys([OLD]);
    // 1: stored before inbox encryption (plaintext personal data); 2: encrypted under the old key.
    await insertEvent(1, JSON.stringify(body(1)));
    await insertEvent(2, protectPayloadJson(JSON.stringify(body(2))));
    await client.query(
      `INSERT INTO borrowers (external_id, full_name, email, phone, bvn) VALUES ('rot-borrower', 'Kelechi Rotate', 'kr@example.com', $1, $2)`,
      [encryptPii('08030000001'), encryptPii('22200000001')],
    );
  });

  afterAll(async () => {
    configurePiiKeys([OLD]);
    await client.end();
    await db.drop();
  });

  it('should put every inbox body and encrypted column under the newest key, plaintext rows included, then find nothing to do', async () => {
    const before = await storedPayloads();
    expect(JSON.stringify(before[0].payload)).toContain('KELECHI ROTATE 1');
    expect(JSON.stringify(before[1].payload)).toContain('enc:v1:test:');

    const first = await rotate(db.url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('borrowers.bvn: re-encrypted 1 value(s) with key rot2');
    expect(first.stdout).toContain('webhook_events.payload: re-encrypted 2 payload(s) with key rot2');

    const after = await storedPayloads();
    for (const row of after) {
      const text = JSON.stringify(row.payload);
      expect(text).not.toMatch(/KELECHI|01234567|enc:v1:test:/);
      expect(text).toContain('enc:v1:rot2:');
      // What processing needs stays readable: ids, amounts, statuses.
      expect(row.payload).toMatchObject({ event: 'mono.events.account_updated', data: { meta: { data_status: 'AVAILABLE' } } });
    }
    configurePiiKeys([NEW, OLD]);
    expect(after.map((r) => revealPayload(r.payload))).toEqual([body(1), body(2)]);
    const [borrower] = (await client.query(`SELECT phone, bvn FROM borrowers WHERE external_id = 'rot-borrower'`)).rows as Array<{
      phone: string;
      bvn: string;
    }>;
    expect([borrower.phone, borrower.bvn].every((v) => v.startsWith('enc:v1:rot2:'))).toBe(true);

    const second = await rotate(db.url);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('webhook_events.payload: re-encrypted 0 payload(s) with key rot2');
    expect(second.stdout).toContain('borrowers.bvn: re-encrypted 0 value(s) with key rot2');
    expect(await storedPayloads()).toEqual(after);
  });
});
