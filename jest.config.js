// jest 30 in ESM mode (run with NODE_OPTIONS=--experimental-vm-modules, see package.json). Still needed on Node 24:
// without it node:vm has no SourceTextModule, jest falls back to CommonJS and the ESM-only Nest 12 packages fail.
// TypeScript goes through @swc/jest with legacy decorators + metadata so Nest DI and TypeORM work.
// keepImportAttributes: swc drops `with { type: 'json' }` by default, and jest then warns on every JSON import
// (a hard error in its next major); @swc-node/register keeps them the same way and `nest build` (tsc) always does.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2023',
      experimental: { keepImportAttributes: true },
      keepClassNames: true,
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  // One embedded Postgres for the whole run; each test file clones the migrated template database.
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  maxWorkers: 2,
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
