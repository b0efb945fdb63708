// Two projects: `unit` (pure logic, no servers) and `integration` (real MongoDB + Redis,
// started once by tests/global-setup.ts and shared by every file through unique
// database names and queue prefixes).
// ts-jest in transpile-only mode: types are checked once by `npm run typecheck`, not per test file.
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig: {
        target: 'ES2022',
        module: 'commonjs',
        esModuleInterop: true,
        resolveJsonModule: true,
        isolatedModules: true,
      },
    },
  ],
};
const moduleNameMapper = {
  '^@triage/rules$': '<rootDir>/shared/rules/src/index.ts',
  '^@triage/shared/(kernel|complaint|jobs|http|infra|sources)$': '<rootDir>/shared/src/$1/index.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start services and wait on queues; unit tests finish far sooner.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/**/test/**/*.unit.test.ts', '<rootDir>/rules/**/*.unit.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/**/test/**/*.int.test.ts', '<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/tests/global-setup.ts',
      globalTeardown: '<rootDir>/tests/global-teardown.ts',
    },
  ],
};
