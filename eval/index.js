#!/usr/bin/env node
// `npm run eval [-- --model openai:gpt-4o-mini --judge openai:gpt-4o --premises file.json --scenes 4 --json]`:
// the pipeline against a single-prompt baseline, judged pairwise with positions swapped; prints win rates.
// Without --model it uses STORYLOOM_MODEL, else the offline model (which only shows the harness works).
const fs = require('node:fs');
const path = require('node:path');
const { runEval, formatReport } = require('./harness');

const USAGE = 'usage: npm run eval -- [--model spec] [--judge spec] [--premises file.json] [--scenes n] [--json]';

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '--model') options.model = value();
    else if (flag === '--judge') options.judge = value();
    else if (flag === '--scenes') {
      const scenes = Number(value());
      if (!Number.isInteger(scenes) || scenes < 1 || scenes > 60) throw new Error(`--scenes must be a whole number from 1 to 60\n${USAGE}`);
      options.scenes = scenes;
    } else if (flag === '--premises') {
      const file = path.resolve(value());
      const premises = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!Array.isArray(premises) || premises.length === 0 || !premises.every((p) => typeof p === 'string' && p.trim())) {
        throw new Error(`${file} must hold a JSON array of premise strings`);
      }
      options.premises = premises;
    } else if (flag === '--json') options.json = true;
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const env = process.env;
  const model = options.model || env.STORYLOOM_MODEL?.trim() || 'offline';
  const report = await runEval({ ...options, model, env, log: options.json ? () => {} : (line) => console.error(line) });
  console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
