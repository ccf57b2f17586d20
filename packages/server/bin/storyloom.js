#!/usr/bin/env node
// The `storyloom` command: a launcher for the compiled CLI (build first: `npx tsc -b packages/server`).
'use strict';
require('../dist/cli/main.js').runCli();
