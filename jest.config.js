// One jest run for the whole repository: each package's unit tests, then the cross-package tests in test/.
// TypeScript is compiled by swc (types are checked by `tsc -b` in `npm run build`, which `npm test` runs first).
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } }],
};

const project = (name, roots, extra = {}) => ({
  displayName: name,
  roots,
  testMatch: ['**/*.test.ts'],
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  ...extra,
});

module.exports = {
  testTimeout: 60_000,
  projects: [
    project('engine', ['<rootDir>/packages/engine/test']),
    project('server', ['<rootDir>/packages/server/test']),
    project('e2e', ['<rootDir>/test']),
  ],
};
