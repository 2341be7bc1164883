// @swc/jest compiles TypeScript about three times faster than ts-jest; `npm run typecheck` does
// the type checking. Agenda is ESM-only, so it is compiled to CommonJS like our own files.
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

const shared = {
  testEnvironment: 'node',
  // Jest 30's default 'soft' cleanup wraps a finished file's globals in a setter that calls
  // Reflect.set on itself: a later write recurses until the stack overflows (seen with 20+ files
  // per worker). 'off' is Jest 29's behaviour.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(agenda|@agendajs)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  ...shared,
  // One MongoDB-wire server for the whole run (unless MONGODB_URI names one); each test file
  // uses a database of its own on it.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Integration and e2e tests start servers and containers; a global option in Jest 30.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
