// The example screenplay pipeline (test/fixtures/example-screenplay.json) and the few knobs tests and benchmarks turn
// on it. Plain CommonJS so the JS benchmarks and the TS tests (via example-screenplay.ts) share one copy.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLE_SCREENPLAY_FILE = path.join(__dirname, '../fixtures/example-screenplay.json');

/**
 * A fresh copy of the example; each option given replaces that part: `approval` sets/removes the approval on
 * `cast`, `cast` its character count, `scenes` the default scene count, `threshold` the review threshold.
 */
function exampleScreenplay(variant = {}) {
  const pipeline = JSON.parse(fs.readFileSync(EXAMPLE_SCREENPLAY_FILE, 'utf8'));
  const node = (id) => pipeline.nodes.find((candidate) => candidate.id === id);
  if (variant.id !== undefined) pipeline.id = variant.id;
  if (variant.name !== undefined) pipeline.name = variant.name;
  if (variant.model !== undefined) pipeline.model = variant.model;
  if (variant.scenes !== undefined) pipeline.inputs.scenes.default = variant.scenes;
  if (variant.cast !== undefined) node('cast').config.count = variant.cast;
  if (variant.approval === false) delete node('cast').approval;
  if (variant.approval === true) node('cast').approval = true;
  if (variant.threshold !== undefined) node('notes').config.threshold = variant.threshold;
  return pipeline;
}

module.exports = { EXAMPLE_SCREENPLAY_FILE, exampleScreenplay };
