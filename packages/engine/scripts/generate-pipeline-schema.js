#!/usr/bin/env node
// Regenerates packages/engine/schema/pipeline.schema.json from the zod schema (build the engine first:
// `npx tsc -b packages/engine`). With --check it writes nothing and exits 1 when the checked-in file is stale.
const fs = require('node:fs');
const path = require('node:path');
const { pipelineJsonSchemaText } = require('../dist/pipeline/json-schema');

const target = path.join(__dirname, '..', 'schema', 'pipeline.schema.json');
const text = pipelineJsonSchemaText();
const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;

if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${path.relative(process.cwd(), target)} is stale: run node packages/engine/scripts/generate-pipeline-schema.js`);
    process.exit(1);
  }
  console.log(`${path.relative(process.cwd(), target)} is up to date`);
} else if (current === text) {
  console.log(`${path.relative(process.cwd(), target)} unchanged`);
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
