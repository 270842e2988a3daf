import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Every role boundary, derived from the OpenAPI document's `x-roles` (published by @Roles): each route refuses
 * every role it does not list with 403, never lets an allowed role fall into 401/403, and refuses no key with 401.
 */
type Ops = Record<string, Record<string, { 'x-roles'?: string[] }>>;
const ROLES = ['frontend', 'analyst', 'admin'] as const;
const PUBLIC_PATHS = new Set(['/health', '/health/live', '/webhooks/mono']);

describe('role boundaries', () => {
  let t: TestApp;
  let paths: Ops;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', UNAUTH_RATE_LIMIT_PER_MINUTE: '100000' }, { listen: true });
    paths = ((await (await fetch(`${t.url}/docs/openapi.json`)).json()) as { paths: Ops }).paths;
  });

  afterAll(async () => {
    await t.close();
  });

  const call = (method: string, path: string, headers: Record<string, string>) =>
    fetch(`${t.url}${path.replace(/\{[^}]+\}/g, '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f')}`, {
      method: method.toUpperCase(),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'roles-test', ...headers },
      body: ['post', 'put', 'patch'].includes(method) ? '{}' : undefined,
    });

  it('should declare roles on every non-public route', () => {
    const undeclared = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !PUBLIC_PATHS.has(path) && !op['x-roles'])
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('should refuse every role a route does not list (403), accept the listed ones, and refuse no key (401)', async () => {
    const violations: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const allowed = op['x-roles'];
        if (!allowed) continue;
        const anonymous = await call(method, path, {});
        if (anonymous.status !== 401) violations.push(`${method} ${path} without a key → ${anonymous.status}`);
        for (const role of ROLES) {
          const res = await call(method, path, t.auth(role));
          checked++;
          const refused = res.status === 401 || res.status === 403;
          if (allowed.includes(role) && refused) violations.push(`${method} ${path} as ${role} (allowed) → ${res.status}`);
          if (!allowed.includes(role) && res.status !== 403) violations.push(`${method} ${path} as ${role} (not allowed) → ${res.status}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(violations).toEqual([]);
  });

  it('should keep the boundaries the lender relies on', () => {
    const rolesOf = (method: string, path: string) => paths[path]?.[method]?.['x-roles'] ?? [];
    expect(rolesOf('post', '/v1/applications')).not.toContain('analyst');
    expect(rolesOf('get', '/v1/reports/borrowers/{id}')).not.toContain('frontend');
    expect(rolesOf('get', '/v1/reports/portfolio')).not.toContain('frontend');
    expect(rolesOf('post', '/v1/admin/reunderwrite')).toEqual(['admin']);
    expect(rolesOf('post', '/v1/admin/decisions/{id}/replay')).toEqual(['admin']);
  });
});
