// @ts-check
import js from '@eslint/js';
import nodePlugin from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';

// A flat config's later block replaces an earlier block's options for the same rule, so each
// block below lists every import restriction that applies to its files.

/** Frameworks and drivers: entry-points/ and data-access/ use them, domain code never does. */
const drivers = [
  'express',
  'mongoose',
  'mongodb',
  'bullmq',
  'ioredis',
  'prom-client',
  'pino-http',
  'express-rate-limit',
  'rate-limit-redis',
  'swagger-ui-express',
];
const driverPatterns = [...drivers.map((name) => `${name}/*`), '@bull-board/*'];

const servicesApart = {
  group: ['**/services/**', '@triage/intake', '@triage/worker', '@triage/router'],
  message: 'Services never import each other; put it in shared/.',
};
const sharedByEntryPoint = {
  group: ['@triage/shared/*/**', '**/shared/src/**', '**/shared/rules/src/**', '@triage/rules/*'],
  message:
    'Import shared code through its entry points: @triage/shared/<kernel|complaint|jobs|http|infra|sources>, @triage/rules.',
};
const pureMessage =
  'is pure: frameworks, drivers, @triage/shared/http and /infra stay in entry-points/ and data-access/.';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'tools/mongo-stand-in/**', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description' }],
    },
  },
  {
    // Every workspace declares what it imports (the nearest package.json to each file).
    files: [
      'services/*/src/**/*.ts',
      'shared/src/**/*.ts',
      'shared/rules/src/**/*.ts',
      'tests/**/*.ts',
      'bench/**/*.ts',
      'tools/**/*.ts',
    ],
    plugins: { n: nodePlugin },
    settings: { n: { tryExtensions: ['.ts', '.js', '.json'] } },
    rules: { 'n/no-extraneous-import': 'error' },
  },
  {
    files: ['services/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [servicesApart, sharedByEntryPoint] }],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...drivers, '@triage/shared/http', '@triage/shared/infra'].map((name) => ({
            name,
            message: `domain/ ${pureMessage}`,
          })),
          patterns: [
            servicesApart,
            sharedByEntryPoint,
            { group: driverPatterns, message: `domain/ ${pureMessage}` },
            {
              group: ['**/entry-points/**', '**/data-access/**'],
              message: 'domain/ does not reach outward.',
            },
          ],
        },
      ],
    },
  },
  {
    // The kernel, the complaint model and the job contracts are what domain code may load.
    files: ['shared/src/kernel/**/*.ts', 'shared/src/complaint/**/*.ts', 'shared/src/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: drivers.map((name) => ({
            name,
            message: `shared/src/{kernel,complaint,jobs} ${pureMessage}`,
          })),
          patterns: [
            { group: driverPatterns, message: `shared/src/{kernel,complaint,jobs} ${pureMessage}` },
            {
              group: ['../http', '../http/**', '../infra', '../infra/**'],
              message: `shared/src/{kernel,complaint,jobs} ${pureMessage}`,
            },
          ],
        },
      ],
    },
  },
  {
    // @triage/rules is the rules engine alone, and never imports the shared package (shared
    // may depend on rules, not the reverse).
    files: ['shared/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...drivers, '@triage/shared'].map((name) => ({
            name,
            message: '@triage/rules depends on json-rules-engine, luxon and zod only.',
          })),
          patterns: [
            {
              group: [...driverPatterns, '@triage/shared/*', '**/shared/src/**'],
              message: '@triage/rules depends on json-rules-engine, luxon and zod only.',
            },
          ],
        },
      ],
    },
  },
  {
    // CLIs, the dev stack and benchmarks talk to a terminal.
    files: ['tools/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
