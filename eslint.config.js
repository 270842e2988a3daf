// Type-aware ESLint (typescript-eslint) + Prettier compatibility. CI runs it with --max-warnings 0.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.test-data/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    // Module direction (docs/architecture.md): applications/underwriting -> scoring -> ingestion -> mono.
    // Lower modules never import higher ones; production code never imports the sandbox.
    files: ['src/mono/**/*.ts'],
    ignores: ['src/mono/wire/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ingestion/**', '**/scoring/**', '**/applications/**', '**/underwriting/**', '**/reports/**', '**/loans/**', '**/consents/**', '**/backtests/**'], message: 'mono is the lowest domain module: it imports no higher module (consents implement its ConsentGate port)' },
            { group: ['**/sandbox/**'], message: 'production modules never import the sandbox' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ingestion/**/*.ts'],
    ignores: ['src/ingestion/normalise/**', '**/*.spec.ts', 'src/ingestion/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/scoring/**', '**/applications/**', '**/underwriting/**', '**/reports/**', '**/loans/**', '**/consents/**', '**/backtests/**'], message: 'ingestion sits below scoring, applications, underwriting, reports and consents' },
            { group: ['**/sandbox/**'], message: 'production modules never import the sandbox' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/scoring/**/*.ts'],
    ignores: ['src/scoring/engine/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/applications/**', '**/underwriting/**', '**/reports/**', '**/backtests/**'], message: 'scoring sits below applications, underwriting, reports and backtests' },
            { group: ['**/sandbox/**'], message: 'production modules never import the sandbox' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/scoring/engine/**/*.ts', 'src/ingestion/normalise/**/*.ts', 'src/common/domain/**/*.ts', 'src/mono/wire/**/*.ts', 'src/loans/loan-schedule.ts', 'src/loans/loan-status.ts', 'src/loans/loan-ledger.ts', 'src/loans/loan-history.ts', 'src/loans/loan-constants.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      // The engine and normalisation are pure: no framework, no database, no entities.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'scoring/engine and normalise are pure: no Nest' },
            { group: ['typeorm', 'pg'], message: 'scoring/engine and normalise are pure: no database' },
            { group: ['**/*.entity', '**/*.entity.js'], message: 'scoring/engine and normalise are pure: no entities' },
            { group: ['**/sandbox/**', '**/test/**'], message: 'the pure engine never imports the sandbox or test support' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
