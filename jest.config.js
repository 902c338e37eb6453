// @ts-check
// One jest run covers every workspace (`npm test`); a workspace's own `npm test` selects its project.
// `test` holds the whole-system tests that drive the REST edge with every service running.
const projects = ['packages/platform', 'services/user', 'services/product', 'services/payment', 'services/order', 'edge-api', 'bench', 'test'];

/** @type {import('jest').Config} */
const config = {
  // One embedded PostgreSQL for the whole run; each suite gets databases of its own (see packages/platform/src/testing).
  globalSetup: '<rootDir>/packages/platform/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/packages/platform/src/testing/global-teardown.ts',
  maxWorkers: 2,
  // Suites start real servers and processes; on 2 shared cores that can take a while.
  testTimeout: 60_000,
  projects: projects.map((dir) => ({
    displayName: dir,
    rootDir: `<rootDir>/${dir}`,
    testEnvironment: 'node',
    testMatch: dir === 'test' ? ['<rootDir>/**/*.test.ts'] : ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/generated/'],
    // Type checking is `npm run typecheck`; tests only transpile, which keeps the suite fast.
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: `${__dirname}/tsconfig.base.json` }] },
    moduleFileExtensions: ['ts', 'js', 'json'],
  })),
};

module.exports = config;
