// The evaluation harness end to end: `npm run eval`'s script on the offline model, and the harness against the
// OpenAI-compatible stub, whose judge always prefers the first text: swapping positions turns that bias into ties.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startOpenAIStub, type OpenAIStub } from './support/openai-stub';
import { storyResponder } from './support/story-stub';

/* eslint-disable @typescript-eslint/no-require-imports */
const { runEval, formatReport } = require('../eval/harness.js') as {
  runEval(options: Record<string, unknown>): Promise<{ tallies: Record<string, { pipeline: number; baseline: number; tie: number }>; results: Array<{ verdicts: Record<string, { forward: string; swapped: string; outcome: string }> }> }>;
  formatReport(report: unknown): string;
};

const CRITERIA = ['coherence', 'characters', 'dialogue', 'premise'];

test('npm run eval prints its table of win rates offline', () => {
  const result = spawnSync(process.execPath, [join(__dirname, '../eval/index.js'), '--scenes', '2'], { encoding: 'utf8', env: { ...process.env, STORYLOOM_MODEL: '' } });
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/Pipeline \(short-screenplay\) vs single-prompt baseline on 4 premise\(s\)/);
  for (const criterion of CRITERIA) expect(result.stdout).toMatch(new RegExp(`^${criterion}\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+%$`, 'm'));
  expect(result.stdout).toMatch(/offline judge counts check findings/);
  const bad = spawnSync(process.execPath, [join(__dirname, '../eval/index.js'), '--scenes', 'many'], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--scenes must be a whole number/);
}, 120_000);

describe('against the OpenAI-compatible stub', () => {
  let stub: OpenAIStub;
  beforeAll(async () => {
    stub = await startOpenAIStub({ respond: storyResponder(3) });
  });
  afterAll(() => stub.close());

  test('every pair is judged twice with the positions swapped; a judge that always says "first" yields only ties', async () => {
    const premises = ['A lighthouse keeper finds a letter from her drowned brother.', 'Two rival bakers are snowed in.'];
    const report = await runEval({ model: 'openai:stub-model', premises, scenes: 3, env: { OPENAI_BASE_URL: stub.url } });
    const judged = stub.requests.filter((r) => /Text 1:\n/.test(r.prompt));
    expect(judged).toHaveLength(premises.length * CRITERIA.length * 2);
    // The same pair, once in each order.
    const [forward, swapped] = judged;
    const textOf = (prompt: string, n: 1 | 2) => {
      const [first, rest] = prompt.split('\nText 1:\n')[1].split('\n\nText 2:\n');
      return n === 1 ? first : rest.slice(0, rest.lastIndexOf('\n\n'));
    };
    expect(textOf(forward.prompt, 1)).toBe(textOf(swapped.prompt, 2));
    for (const request of judged) expect(request.body.temperature).toBe(0);
    // The baseline is one prompt per premise.
    expect(stub.requests.filter((r) => /Write a short screenplay of 3 scenes/.test(r.prompt))).toHaveLength(premises.length);
    for (const criterion of CRITERIA) expect(report.tallies[criterion]).toEqual({ pipeline: 0, baseline: 0, tie: premises.length });
    for (const result of report.results) for (const verdict of Object.values(result.verdicts)) expect(verdict).toEqual({ outcome: 'tie', forward: 'first', swapped: 'first' });
    expect(formatReport(report)).toMatch(/^coherence\s+0\s+0\s+2\s+50%$/m);
  }, 120_000);
});
