// One jest run for the whole repository: each package's unit tests, then the cross-package tests in test/.
// TypeScript is compiled by swc, which strips types without checking them: `npm test` first runs `npm run build`
// (`tsc -b`, the packages' sources) and `npm run typecheck:tests` (tsconfig.tests.json, the tests).
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } }],
};

const fs = require('node:fs');
const path = require('node:path');

const afterEachFile = '<rootDir>/test/support/after-each-file.ts';

const project = (name, roots, extra = {}) => ({
  displayName: name,
  // A package without tests yet has no test folder; jest refuses roots that do not exist.
  roots: roots.filter((root) => fs.existsSync(root.replace('<rootDir>', __dirname))),
  testMatch: ['**/*.test.ts'],
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  ...extra,
});

module.exports = {
  testTimeout: 60_000,
  projects: [
    project('engine', ['<rootDir>/packages/engine/test'], { setupFilesAfterEnv: [afterEachFile] }),
    project('server', ['<rootDir>/packages/server/test'], { setupFilesAfterEnv: [afterEachFile] }),
    // Cross-package tests (CLI processes, crash/resume, the server process).
    project('e2e', ['<rootDir>/test'], { testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'], setupFilesAfterEnv: [afterEachFile] }),
    // The editor in a real browser: Chromium is found (or installed) once before any of these start.
    project('browser', ['<rootDir>/test/e2e'], { globalSetup: '<rootDir>/test/support/browser-global-setup.js', setupFilesAfterEnv: [afterEachFile] }),
  ].filter((p) => p.roots.length > 0),
};
