// Preloaded into a CLI process under test (NODE_OPTIONS=--require): on exit it writes the files the process
// loaded through require to the path in STORYLOOM_TEST_LOADED_MODULES, so a test can tell what a command pulled in.
'use strict';
const fs = require('node:fs');

const target = process.env.STORYLOOM_TEST_LOADED_MODULES;
if (target) process.on('exit', () => fs.writeFileSync(target, JSON.stringify(Object.keys(require.cache))));
