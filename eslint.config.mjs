// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworkImports = ['express', 'bullmq', 'mongoose', 'ioredis'].map((name) => ({
  name,
  message: 'domain/ is pure: frameworks stay in entry-points/ and data-access/.',
}));

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
    // Services never import each other; shared/ is the only common door.
    files: ['services/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/services/**', '@triage/intake', '@triage/worker', '@triage/router'],
              message: 'Services never import each other; put it in shared/.',
            },
            {
              group: ['@triage/shared/*', '**/shared/src/**'],
              message: 'Import @triage/shared through its index only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts', 'shared/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: frameworkImports,
          patterns: [
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
    // @triage/rules is the rules engine alone: no web, queue, database or metrics frameworks,
    // and never the shared package (shared may depend on rules, not the reverse).
    files: ['shared/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'mongoose', 'bullmq', 'ioredis', 'mongodb', 'prom-client', '@triage/shared'].map(
            (name) => ({ name, message: '@triage/rules depends on json-rules-engine, luxon and zod only.' }),
          ),
          patterns: [
            {
              group: [
                'express/*',
                'mongoose/*',
                'bullmq/*',
                'ioredis/*',
                'mongodb/*',
                'prom-client/*',
                '@triage/shared/*',
                '**/shared/src/**',
              ],
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
