import { createHash } from 'node:crypto';
import { isObject } from './wire/mono-transaction.js';

/** Mono webhook event names this engine acts on (others are stored and marked ignored). */
export const MONO_EVENTS = {
  accountConnected: 'mono.events.account_connected',
  accountUpdated: 'mono.events.account_updated',
  reauthorisationRequired: 'mono.events.reauthorisation_required',
  accountReauthorized: 'mono.events.account_reauthorized',
  syncFailed: 'mono.events.sync_failed',
  accountUnlinked: 'mono.events.account_unlinked',
  jobsUpdate: 'mono.accounts.jobs.update',
  /** v2 income report (asked for by the income cross-check, MONO_INCOME_CROSSCHECK). */
  accountIncome: 'mono.events.account_income',
} as const;

/** JSON with object keys sorted at every level, so equal payloads hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (isObject(value)) {
    for (const key of ['_id', 'id']) {
      const v = value[key];
      if (typeof v === 'string' && v.trim() !== '') return v.trim();
    }
  }
  return null;
}

/**
 * The Mono account id an event is about: `data.id` on account_connected, `data.account._id|id` on most events,
 * `data.account` as a string on jobs.update / income.
 */
export function monoAccountIdOf(payload: Record<string, unknown>): string | null {
  const data = payload.data;
  if (!isObject(data)) return null;
  const fromAccount = idOf(data.account);
  if (fromAccount) return fromAccount;
  if (payload.event === MONO_EVENTS.accountConnected) return idOf(data.id) ?? idOf(data);
  return null;
}

export function eventIdOf(payload: Record<string, unknown>): string | null {
  const raw = payload.event_id ?? payload.eventId;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const id = raw.trim();
    // The column holds 128 characters. Cutting a longer id would make two ids with one long prefix collide (the second
    // webhook dropped as a duplicate); its digest keeps them apart and is stable across Mono's retries.
    return id.length <= 128 ? id : `sha256:${createHash('sha256').update(id, 'utf8').digest('hex')}`;
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}

export function metaOf(data: Record<string, unknown>): Record<string, unknown> {
  return isObject(data.meta) ? data.meta : {};
}

export function stringField(obj: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return null;
}

export function boolField(obj: Record<string, unknown>, ...keys: string[]): boolean | null {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && ['true', 'false'].includes(v.trim().toLowerCase())) return v.trim().toLowerCase() === 'true';
  }
  return null;
}

/** The event's own `timestamp` (Mono sends ISO-8601 UTC), or null when absent or unparseable. */
export function eventTimeOf(payload: Record<string, unknown>): Date | null {
  const raw = payload.timestamp;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : new Date(ms);
}
