#!/usr/bin/env node
// Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- engine server` only those.
// Each benchmark is a folder with an index.js that prints its own figures as ratios against a baseline
// measured in the same run (machines here are shared and noisy, so absolute times mean little).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const all = fs
  .readdirSync(__dirname, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(__dirname, entry.name, 'index.js')))
  .map((entry) => entry.name);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n=== bench/${name} ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, name, 'index.js')], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
