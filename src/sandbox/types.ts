/**
 * Shapes of the Mono sandbox: its start options, the "bank-side" state it keeps per account, and the records it
 * exposes to tests (calls, webhook deliveries, jobs). Wire shapes (what Mono sends) live in `wire.ts`.
 */

export type DataStatus = 'AVAILABLE' | 'PARTIAL' | 'UNAVAILABLE' | 'FAILED' | 'PROCESSING';
/** Data statuses a finished link can settle on (PROCESSING is transient). */
export type SettledDataStatus = Exclude<DataStatus, 'PROCESSING'>;
export const SETTLED_DATA_STATUSES: readonly SettledDataStatus[] = ['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED'];
export type RetrievedPart = 'identity' | 'balance' | 'transactions';
export type AuthMethod = 'internet_banking' | 'mobile_banking';

/** Link lifecycle of one sandbox account. `pending`: created with a widget code not yet exchanged (unknown to the API). */
export type AccountLinkState = 'pending' | 'processing' | 'linked' | 'unlinked';

export interface WebhookRetryOptions {
  /** First retry delay; doubles per attempt. */
  baseMs: number;
  /** Cap of one retry delay. */
  maxMs: number;
  /** Attempts in all (first delivery included) before the event is marked failed. */
  maxAttempts: number;
}

export interface SandboxTimings {
  /** Legacy manual sync: one call per account per this many ms (Mono: 2 minutes). */
  syncMinIntervalMs: number;
  /** Real-time: one session (job) per account per this many ms (Mono: 5 minutes). */
  realtimeWindowMs: number;
  /** Random delay [min, max] before a webhook is first sent. */
  webhookDelayMs: [number, number];
  /** How long a real-time job stays `processing` before it finishes. */
  jobDurationMs: number;
  /** How long a fresh link stays PROCESSING before data is available and `account_updated` fires, [min, max]. */
  linkProcessingMs: [number, number];
  /** After a completed reauth, an MFA bank accepts syncs for this long (its session), then demands reauth again. */
  mfaSessionMs: number;
  /**
   * A real-time call whose job takes longer than this answers `data: null` ("enqueued; you will be notified by
   * webhook") instead of the data as currently synced (Mono: 30 s, API reference §1.5). With the default job duration
   * (1.5 s) that never happens; set `jobDurationMs` above it (or this below it) to play a slow bank.
   */
  realtimeEnqueueAfterMs: number;
  /**
   * Mono's automatic (scheduled) Data Sync of every linked account, every this many ms; 0 = off (the default: tests
   * and demos play it). Mono runs it every 24 h around midnight (API reference §6.1). A run fires `account_updated`,
   * or `reauthorisation_required` (MFA bank), or `sync_failed` (bank down).
   */
  autoSyncIntervalMs: number;
  /** Opt-in fault: reproduce one docs sample where v2 `meta.next` omits `/accounts/` (…/v2/{id}/transactions?page=2). */
  paginationNextQuirk: boolean;
  /**
   * Completing a re-authorisation hands the widget a new exchangeable code (like a first link) that exchanges to the
   * same account id. Mono does not document whether its widget's `onSuccess` gets a code after a reauth, so this is
   * a setting (default true); false plays a widget that only closes, leaving the `account_reauthorized` webhook.
   */
  reauthIssuesCode: boolean;
  /**
   * `POST /v2/accounts/auth` answers a bare `{ id }` instead of the v2 envelope `{ status, message, timestamp, data: {
   * id } }`. Mono's integration guide shows the bare body while its API reference, clients and logs show the envelope
   * (API reference §2.1 and §10), so this is a setting: default false (the envelope).
   */
  v2ExchangeBare: boolean;
}

export interface SandboxOptions extends Partial<SandboxTimings> {
  /** 0 = a random free port. */
  port: number;
  /** Default 127.0.0.1; use 0.0.0.0 inside docker. */
  host?: string;
  /** Expected in the `mono-sec-key` header of every Mono API call. */
  secretKey: string;
  /** Where webhooks go; unset → they queue until `setWebhookTarget`. */
  webhookUrl?: string;
  /** Sent in the `mono-webhook-secret` header. */
  webhookSecret: string;
  /** Base of `mono_url` and pagination links; default the listening URL. */
  publicUrl?: string;
  /** Persist state (accounts, customers, codes, jobs) as JSON here, so a restart keeps linked accounts. */
  stateFile?: string;
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Seed of every random choice (ids, delays, faults unless they carry their own). Default 1. */
  seed?: number;
  now?: () => Date;
  /** Log sink; default a pino logger at `warn` (npm start and npm run sandbox pass one at LOG_LEVEL). */
  logger?: SandboxLogger;
  /**
   * Key of the admin API (`/sandbox/*`): every admin call must send it in `x-sandbox-admin-key` (401 otherwise;
   * `GET /sandbox/openapi.json` stays readable). `null` opens the admin API explicitly. Unset: open on a loopback
   * host, and the sandbox refuses to start on any other host (an unauthenticated admin API that serves identities
   * and redirects webhooks must not be reachable from other machines by default).
   */
  adminKey?: string | null;
  /**
   * Let `POST /sandbox/config {webhookUrl}` point webhooks (which carry the webhook secret) at a non-loopback host.
   * Default false: only 127.0.0.1, ::1 and localhost. The `webhookUrl` option itself is not restricted.
   */
  allowRemoteWebhookUrls?: boolean;
}

export interface SandboxLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface BankTransaction {
  id: string;
  narration: string;
  /** Positive integer kobo. */
  amount: number;
  type: 'debit' | 'credit';
  /** Running balance after the transaction, kobo (recomputed when the input had none). */
  balance: number;
  /** ISO-8601 UTC. */
  date: string;
  category: string;
  currency: string;
  /** Insertion order; breaks ties between equal dates (higher = newer). */
  seq: number;
  /** False until a sync (legacy, real-time, reauth) makes this bank activity visible to the API. */
  visible: boolean;
}

export interface SandboxIdentity {
  full_name: string | null;
  first_name?: string | null;
  last_name?: string | null;
  middle_name?: string | null;
  bvn: string | null;
  email: string | null;
  phone: string | null;
  gender: string | null;
  /** YYYY-MM-DD */
  dob: string | null;
  address_line1: string | null;
  state_of_origin: string | null;
  lga_of_origin: string | null;
  marital_status: string | null;
}

export interface SandboxAccount {
  id: string;
  customerId: string;
  name: string;
  accountNumber: string;
  currency: string;
  type: string;
  /** Last 4 digits of the BVN, as Mono's account details show it. */
  bvnLast4: string | null;
  institution: { id: string; name: string; bankCode: string; type: 'PERSONAL_BANKING' | 'BUSINESS_BANKING' };
  authMethod: AuthMethod;
  /** Balance to report when the account has no transactions at all. */
  openingBalance: number;
  identity: SandboxIdentity | null;
  state: AccountLinkState;
  /** What the link settles on once processing ends (PARTIAL for a bank configured so). */
  dataStatus: SettledDataStatus;
  retrievedData: RetrievedPart[];
  ref: string | null;
  /** The bank demands MFA on every sync (non-persistent access). */
  mfa: boolean;
  /** The next sync needs re-authorisation (set by MFA syncs or `require-reauth`, cleared by a completed reauth). */
  reauthRequired: boolean;
  /** When the last re-authorisation completed: an MFA bank accepts syncs for `mfaSessionMs` after it. */
  reauthorisedAt: string | null;
  persona: string | null;
  /** Bank-side transactions in insertion order. */
  transactions: BankTransaction[];
  lastLegacySyncAt: string | null;
  /** The bank is down (`POST /sandbox/accounts/{id}/bank-outage`): syncs fail (`SYNC_ERROR`, `sync_failed`). */
  bankDown?: boolean;
  createdAt: string;
  updatedAt: string;
  linkedAt: string | null;
  unlinkedAt: string | null;
  /** Ground-truth labels of a persona account (opaque to the sandbox). */
  labels?: unknown;
}

export interface SandboxCustomer {
  id: string;
  name: string | null;
  email: string | null;
  createdAt: string;
}

export interface WidgetCode {
  code: string;
  accountId: string;
  /** `reauth`: issued when a re-authorisation completed; exchanging it returns the (already linked) account's id. */
  kind?: 'link' | 'reauth';
  expiresAt: string;
  usedAt: string | null;
}

export interface LinkSession {
  /** Also the last path segment of `mono_url`; for a legacy reauthorise token, the token itself. */
  id: string;
  scope: 'auth' | 'reauth';
  customerId: string | null;
  accountId: string | null;
  ref: string | null;
  redirectUrl: string | null;
  createdAt: string;
  expiresAt: string | null;
  completedAt: string | null;
}

export type JobStatus = 'processing' | 'finished' | 'failed';
export type JobName = 'jobs.accounts.sync_balance' | 'jobs.accounts.sync_statement';

export interface RealtimeJob {
  id: string;
  accountId: string;
  name: JobName;
  status: JobStatus;
  createdAt: string;
  finishedAt: string | null;
  hasNewData: boolean | null;
}

export interface SandboxStateData {
  version: 1;
  app: string;
  business: string;
  counter: number;
  customers: Record<string, SandboxCustomer>;
  accounts: Record<string, SandboxAccount>;
  codes: Record<string, WidgetCode>;
  links: Record<string, LinkSession>;
  jobs: Record<string, RealtimeJob>;
}

export interface CallRecord {
  method: string;
  path: string;
  query: Record<string, unknown>;
  time: string;
  /** Value of `x-realtime` / `x-real-time` when sent. */
  realtime?: string;
  /** Response status; null when the connection was dropped (timeout fault). */
  status: number | null;
  fault?: string;
}
