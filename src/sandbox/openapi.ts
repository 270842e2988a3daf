/** Hand-written OpenAPI 3 description of the sandbox admin API (`GET /sandbox/openapi.json`). */

const json = (schema: Record<string, unknown>, description = 'OK'): Record<string, unknown> => ({
  description,
  content: { 'application/json': { schema } },
});
const ref = (name: string): Record<string, unknown> => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): Record<string, unknown> => json(ref('Error'), description);
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Mono account id' };
const body = (schema: Record<string, unknown>, required = true): Record<string, unknown> => ({
  required,
  content: { 'application/json': { schema } },
});

export function sandboxOpenApi(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Mono sandbox admin API',
      version: '1',
      description:
        'Scenario control for the local Mono simulator. No mono-sec-key; never affected by faults. When the sandbox runs ' +
        'with an admin key (npm start and npm run sandbox do, unless MONO_SANDBOX_ADMIN_OPEN=true), every route but this ' +
        'document needs it in x-sandbox-admin-key (401 otherwise). The Mono-compatible API (/v2/*, legacy /accounts/*) is ' +
        'described in docs/sandbox.md. Amounts are integer kobo.',
    },
    servers: [{ url: serverUrl }],
    security: [{ sandboxAdminKey: [] }],
    paths: {
      '/sandbox/accounts': {
        post: {
          summary: 'Create a bank account (explicit data or a persona) and get a widget code to link it',
          description:
            'Exchanging the code at POST /v2/accounts/auth (or /account/auth) links the account: account_connected, then account_updated.',
          requestBody: body({ oneOf: [ref('CreateAccount'), ref('CreatePersonaAccount')] }),
          responses: {
            '201': json({
              type: 'object',
              required: ['code', 'accountId'],
              properties: {
                code: { type: 'string' },
                accountId: { type: 'string' },
                extraAccounts: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, accountId: { type: 'string' } } } },
              },
            }, 'Created'),
            '400': error('Invalid account, transactions or options'),
            '409': error('Account id already exists'),
          },
        },
        get: { summary: 'List every sandbox account with its link state', responses: { '200': json({ type: 'object' }) } },
      },
      '/sandbox/accounts/{id}': {
        get: {
          summary: 'Ground truth: the account and every bank-side transaction (synced or not), newest first',
          parameters: [idParam],
          responses: { '200': json(ref('GroundTruth')), '404': error('Unknown account') },
        },
      },
      '/sandbox/accounts/{id}/transactions': {
        post: {
          summary: 'Append bank activity; visible to the API after the next sync (legacy sync, real-time job or reauth)',
          parameters: [idParam],
          requestBody: body({ type: 'object', required: ['transactions'], properties: { transactions: { type: 'array', items: ref('TransactionInput') } } }),
          responses: {
            '201': json({ type: 'object', properties: { accountId: { type: 'string' }, added: { type: 'array', items: ref('Transaction') }, pending: { type: 'integer' } } }, 'Appended'),
            '400': error('Invalid transaction (amount must be a positive integer of kobo, type debit|credit, date ISO-8601)'),
            '404': error('Unknown account'),
          },
        },
      },
      '/sandbox/accounts/{id}/loan-outcome': {
        post: {
          summary:
            "The loan outcome simulator: how this persona's borrower repays a schedule (on time, late, or stopping), from their true income, other lenders and betting; seeded",
          parameters: [idParam],
          requestBody: body({
            type: 'object',
            required: ['schedule'],
            properties: {
              schedule: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['seq', 'dueDate', 'amountDueMinor'],
                  properties: { seq: { type: 'integer' }, dueDate: { type: 'string', format: 'date' }, amountDueMinor: { type: 'integer' } },
                },
              },
              asOf: { type: 'string', format: 'date-time', description: 'Repayments up to this instant (default: the sandbox clock)' },
              seed: { type: 'integer' },
              stopAfter: { type: 'integer', nullable: true, description: 'Scenario override: instalments paid before the borrower stops' },
            },
          }),
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  accountId: { type: 'string' },
                  behaviour: { type: 'object' },
                  repayments: { type: 'array', items: { type: 'object', properties: { seq: { type: 'integer' }, paidOn: { type: 'string' }, amountMinor: { type: 'integer' }, daysLate: { type: 'integer' } } } },
                },
              },
              'Simulated repayments',
            ),
            '400': error('Invalid schedule, or an account without persona ground truth'),
            '404': error('Unknown account'),
          },
        },
      },
      '/sandbox/accounts/{id}/require-reauth': {
        post: { summary: 'Make the next sync need re-authorisation', parameters: [idParam], responses: { '200': json({ type: 'object' }), '404': error('Unknown account') } },
      },
      '/sandbox/accounts/{id}/complete-reauth': {
        post: {
          summary: 'Play the user finishing the reauth widget: account_reauthorized, then account_updated with fresh data; `code` is the widget\'s new code (null with reauthIssuesCode false)',
          parameters: [idParam],
          responses: {
            '200': json({ type: 'object', properties: { accountId: { type: 'string' }, reauthRequired: { type: 'boolean' }, code: { type: 'string', nullable: true } } }),
            '404': error('Unknown or unlinked account'),
          },
        },
      },
      '/sandbox/accounts/{id}/auto-sync': {
        post: {
          summary: "Play Mono's scheduled (legacy automatic) sync: account_updated, reauthorisation_required, or sync_failed when {fail:true}",
          parameters: [idParam],
          requestBody: body({ type: 'object', properties: { fail: { type: 'boolean' } } }, false),
          responses: { '200': json({ type: 'object' }), '404': error('Unknown or unlinked account') },
        },
      },
      '/sandbox/accounts/{id}/unlink': {
        post: { summary: 'Play the user unlinking in Mono Portal (account_unlinked)', parameters: [idParam], responses: { '200': json({ type: 'object' }), '404': error('Unknown account') } },
      },
      '/sandbox/accounts/{id}/calls': {
        get: {
          summary: 'Every Mono API call received for the account',
          parameters: [idParam],
          responses: { '200': json({ type: 'object', properties: { accountId: { type: 'string' }, calls: { type: 'array', items: ref('Call') } } }), '404': error('Unknown account') },
        },
      },
      '/sandbox/faults': {
        get: { summary: 'Current fault configuration', responses: { '200': json(ref('Faults')) } },
        post: { summary: 'Replace the fault configuration (unset fields mean no fault); restarts the seeded sequence', requestBody: body(ref('Faults')), responses: { '200': json(ref('Faults')), '400': error('Invalid setting') } },
        delete: { summary: 'Turn every fault off', responses: { '200': json(ref('Faults')) } },
      },
      '/sandbox/config': {
        get: { summary: 'Current timings and webhook settings', responses: { '200': json(ref('Config')) } },
        post: { summary: 'Change timings (tests use fast ones) and the webhook target', requestBody: body(ref('Config')), responses: { '200': json(ref('Config')), '400': error('Invalid setting') } },
      },
      '/sandbox/reset': { post: { summary: 'Forget every account, customer, code, job, call and webhook; turn faults off', responses: { '200': json({ type: 'object' }) } } },
      '/sandbox/webhooks': {
        get: {
          summary: 'Webhook delivery log (payload, attempts with status, delivered|pending|failed)',
          parameters: [
            { name: 'accountId', in: 'query', schema: { type: 'string' } },
            { name: 'event', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': json({ type: 'object' }) },
        },
      },
      '/sandbox/webhooks/flush': { post: { summary: 'Attempt every queued webhook now, ignoring delays', responses: { '200': json({ type: 'object' }) } } },
      '/sandbox/personas': { get: { summary: 'Personas with one-line descriptions', responses: { '200': json({ type: 'object' }) } } },
      '/sandbox/openapi.json': { get: { summary: 'This document', responses: { '200': json({ type: 'object' }) } } },
    },
    components: {
      securitySchemes: {
        sandboxAdminKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-sandbox-admin-key',
          description: 'MONO_SANDBOX_ADMIN_KEY, or the key generated into DATA_DIR/sandbox-admin-key.json (docs/sandbox.md, "Admin API")',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['statusCode', 'code', 'message'],
          properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' }, details: {} },
        },
        TransactionInput: {
          type: 'object',
          required: ['amount', 'type', 'date'],
          properties: {
            id: { type: 'string', description: 'Kept as the Mono transaction id; generated when absent' },
            narration: { type: 'string' },
            amount: { type: 'integer', minimum: 1, description: 'Kobo' },
            type: { type: 'string', enum: ['debit', 'credit'] },
            balance: { type: 'integer', nullable: true, description: 'Running balance after the transaction, kobo; recomputed when absent' },
            date: { type: 'string', format: 'date-time' },
            category: { type: 'string' },
            currency: { type: 'string' },
          },
        },
        Transaction: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            narration: { type: 'string' },
            amount: { type: 'integer' },
            type: { type: 'string', enum: ['debit', 'credit'] },
            balance: { type: 'integer' },
            date: { type: 'string', format: 'date-time' },
            category: { type: 'string' },
          },
        },
        AccountInput: {
          type: 'object',
          description: 'The v2 account-details data object ({account, meta}) or its inner account object; every field optional',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            account_number: { type: 'string' },
            currency: { type: 'string' },
            balance: { type: 'integer', description: 'Kobo; used when there are no transactions' },
            type: { type: 'string' },
            bvn: { type: 'string' },
            institution: { type: 'object', properties: { name: { type: 'string' }, bank_code: { type: 'string' }, type: { type: 'string', enum: ['PERSONAL_BANKING', 'BUSINESS_BANKING'] } } },
          },
        },
        AccountOptions: {
          type: 'object',
          properties: {
            mfa: { type: 'boolean', description: 'The bank demands re-authorisation on sync' },
            dataStatus: { type: 'string', enum: ['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED'] },
            retrievedData: { type: 'array', items: { type: 'string', enum: ['identity', 'balance', 'transactions'] } },
            customerRef: { type: 'string', description: 'meta.ref echoed in account_connected, account_updated and account details (alias ref)' },
            persona: { type: 'string', description: 'Label only' },
            customer: { type: 'object', description: '{name, email} or {id}' },
          },
        },
        CreateAccount: {
          type: 'object',
          properties: { account: ref('AccountInput'), transactions: { type: 'array', items: ref('TransactionInput') }, identity: { type: 'object' }, options: ref('AccountOptions') },
        },
        CreatePersonaAccount: {
          type: 'object',
          required: ['persona'],
          properties: {
            persona: { type: 'string', description: 'See GET /sandbox/personas' },
            seed: { type: 'integer' },
            asOf: { type: 'string', format: 'date', description: "Default today's date in Africa/Lagos" },
            months: { type: 'integer' },
            accountId: { type: 'string' },
            options: ref('AccountOptions'),
          },
        },
        GroundTruth: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            state: { type: 'string', enum: ['pending', 'processing', 'linked', 'unlinked'] },
            account: { type: 'object' },
            transactions: { type: 'array', items: ref('Transaction') },
            pendingTransactionIds: { type: 'array', items: { type: 'string' } },
            labels: { type: 'object', description: 'Persona ground-truth labels' },
          },
        },
        Call: {
          type: 'object',
          properties: {
            method: { type: 'string' },
            path: { type: 'string' },
            query: { type: 'object' },
            time: { type: 'string', format: 'date-time' },
            realtime: { type: 'string', description: 'x-realtime / x-real-time header when sent' },
            status: { type: 'integer', nullable: true, description: 'null when the connection was dropped' },
            fault: { type: 'string' },
          },
        },
        Faults: {
          type: 'object',
          properties: {
            latencyMs: { type: 'integer' },
            latencyJitterMs: { type: 'integer' },
            errorRate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of 500/502/503/504' },
            rateLimitBurst: { type: 'object', nullable: true, properties: { every: { type: 'integer' }, length: { type: 'integer' } } },
            rateLimitRate: { type: 'number', minimum: 0, maximum: 1 },
            timeoutRate: { type: 'number', minimum: 0, maximum: 1 },
            timeoutMode: { type: 'string', enum: ['hang', 'destroy', 'mixed'] },
            timeoutHangMs: { type: 'integer' },
            malformedRate: { type: 'number', minimum: 0, maximum: 1, description: 'Invalid JSON or amounts as decimal strings' },
            webhookDuplicateRate: { type: 'number', minimum: 0, maximum: 1 },
            webhookReorder: { type: 'boolean' },
            emptyFilterNull: { type: 'boolean' },
            incomeError: { type: 'boolean', description: 'GET /v2/accounts/{id}/income answers 503; every other route works' },
            seed: { type: 'integer' },
          },
        },
        Config: {
          type: 'object',
          properties: {
            syncMinIntervalMs: { type: 'integer' },
            realtimeWindowMs: { type: 'integer' },
            webhookDelayMs: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
            jobDurationMs: { type: 'integer' },
            linkProcessingMs: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
            mfaSessionMs: { type: 'integer' },
            realtimeEnqueueAfterMs: { type: 'integer' },
            autoSyncIntervalMs: { type: 'integer', description: '0 = off' },
            paginationNextQuirk: { type: 'boolean' },
            reauthIssuesCode: { type: 'boolean', description: 'A finished reauth hands the widget a new code that exchanges to the same account id (default true; Mono does not document it)' },
            v2ExchangeBare: { type: 'boolean', description: "POST /v2/accounts/auth answers a bare {id} as Mono's integration guide shows (default false: the v2 envelope its reference and clients show)" },
            webhookRetry: { type: 'object', properties: { baseMs: { type: 'integer' }, maxMs: { type: 'integer' }, maxAttempts: { type: 'integer' } } },
            webhookUrl: { type: 'string', nullable: true },
          },
        },
      },
    },
  };
}
