#!/usr/bin/env node
// The `storyloom` command: a launcher for the compiled CLI (packages/server/src/cli).
'use strict';
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main/.test(String(error.message))) {
    process.stderr.write('storyloom: the CLI is not built yet; run `npm run build` (or `npx tsc -b packages/server`) first.\n');
    process.exit(1);
  }
  throw error;
}
cli.runCli();
