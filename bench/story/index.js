// Prompt tokens per screenplay run: the shipped short screenplay run against the OpenAI-compatible stub (the real
// ChatOpenAI client), every request captured, its prompt tokens counted per stage, and compared with naive full
// context: each call sent the whole story bible and everything written before it, plus its own instruction.
// Goal: scoped prompts at most half the naive cost. Needs `npm run build` first.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = path.join(__dirname, '../../packages/engine/dist');
if (!fs.existsSync(path.join(dist, 'node.js'))) {
  console.error('packages/engine/dist is missing: run `npm run build` first');
  process.exit(2);
}
const { openStoryloom } = require(path.join(dist, 'node.js'));
const { startOpenAIStub } = require('../../test/support/openai-stub-server.js');
const { storyResponder } = require('../../test/support/story-stub.js');

const PREMISES = [
  'A lighthouse keeper finds a letter from her drowned brother, dated tomorrow.',
  'A retired safecracker is hired to open the vault that ruined her career.',
  'Two rival bakers are snowed in together the night before the village contest.',
];
const SCENES = [6, 12];

/** Tokens as the engine estimates them when a server reports none: characters / 4. */
const tokens = (text) => Math.ceil(text.length / 4);

/** Which stage a captured request belongs to, from its instruction. */
function stageOf(prompt) {
  if (/Write a logline/.test(prompt)) return 'logline';
  if (/Create the cast/.test(prompt)) return 'characters';
  if (/Describe the world/.test(prompt)) return 'setting';
  if (/Outline the plot/.test(prompt)) return 'outline';
  if (/Turn the outline into scene cards/.test(prompt)) return 'scenes';
  if (/Write scene \d+ as a screenplay/.test(prompt)) return 'dialogue';
  if (/Judge this text/.test(prompt)) return 'review';
  if (/Check this fiction for content/.test(prompt)) return 'policy';
  if (/List the continuity facts this plan establishes/.test(prompt)) return 'continuity';
  if (/List the continuity facts scene \d+ establishes/.test(prompt)) return 'facts';
  return 'other';
}

const NODE_OF_STAGE = { logline: 'logline', characters: 'cast', setting: 'world', outline: 'beats', scenes: 'scene-list', continuity: 'scene-list', dialogue: 'lines', facts: 'lines', review: 'notes', policy: 'notes' };
const ORDER = ['logline', 'characters', 'setting', 'outline', 'scenes', 'continuity', 'dialogue', 'facts', 'review', 'policy'];

async function measure(stub, premise, scenes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-bench-story-'));
  const engine = await openStoryloom({ dbPath: path.join(dir, 'bench.db'), env: { OPENAI_BASE_URL: stub.url } });
  try {
    stub.reset();
    stub.setBehavior({ respond: storyResponder(scenes) });
    const pipeline = JSON.parse(fs.readFileSync(path.join(__dirname, '../../pipelines/short-screenplay.json'), 'utf8'));
    pipeline.model = { provider: 'openai', model: 'stub-model' };
    const run = await engine.startRun({ pipeline, inputs: { premise, scenes }, autoApprove: true });
    const done = await engine.drive(run.id);
    if (done.status !== 'completed') throw new Error(`run ${done.status}: ${done.error}`);
    const outputs = Object.fromEntries(Object.entries(done.nodes).map(([id, node]) => [id, node.output]));
    const scenesText = (outputs.lines?.scenes ?? []).map((scene) => JSON.stringify(scene));
    const actual = {};
    let actualTotal = 0;
    let naiveTotal = 0;
    for (const request of stub.requests) {
      const stage = stageOf(request.prompt);
      const sent = request.messages.map((m) => m.content).join('\n');
      actual[stage] = (actual[stage] ?? 0) + tokens(sent);
      actualTotal += tokens(sent);
      // Naive: the system message and the instruction, with every upstream output in full, and for a scene (or
      // the judge) every scene written before it.
      const instruction = request.prompt.slice(request.prompt.lastIndexOf('\n\n') + 2);
      const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
      // Each upstream node's output once; the written scenes are counted as `written` below, never twice.
      const upstreamNodes = new Set(ORDER.slice(0, ORDER.indexOf(stage)).map((s) => NODE_OF_STAGE[s]).filter((node) => node !== 'lines'));
      const upstream = [...upstreamNodes].map((node) => JSON.stringify(outputs[node] ?? ''));
      const sceneNumber = Number(/Write scene (\d+)|continuity facts scene (\d+)/.exec(request.prompt)?.slice(1).find(Boolean) ?? 0);
      // A fact reader of scene N naively gets every scene up to and including N.
      const written = stage === 'dialogue' ? scenesText.slice(0, sceneNumber - 1) : stage === 'facts' ? scenesText.slice(0, sceneNumber) : stage === 'review' || stage === 'policy' ? scenesText : [];
      naiveTotal += tokens([system, premise, ...upstream, ...written, instruction].join('\n\n'));
    }
    return { actual, actualTotal, naiveTotal, requests: stub.requests.length };
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const stub = await startOpenAIStub();
  try {
    console.log('Prompt tokens per screenplay run (shipped short-screenplay, stub model): scoped prompts vs naive full context');
    console.log('scenes  premise                                   requests  scoped  naive   ratio');
    const ratios = [];
    const perStage = {};
    for (const scenes of SCENES) {
      for (const premise of PREMISES) {
        const result = await measure(stub, premise, scenes);
        const ratio = result.actualTotal / result.naiveTotal;
        ratios.push(ratio);
        for (const [stage, count] of Object.entries(result.actual)) perStage[stage] = (perStage[stage] ?? 0) + count;
        console.log(
          `${String(scenes).padStart(6)}  ${premise.slice(0, 40).padEnd(40)}  ${String(result.requests).padStart(8)}  ${String(result.actualTotal).padStart(6)}  ${String(result.naiveTotal).padStart(6)}  ${ratio.toFixed(2)}×`,
        );
      }
    }
    const total = Object.values(perStage).reduce((a, b) => a + b, 0);
    console.log(`share of scoped prompt tokens by stage: ${ORDER.filter((s) => perStage[s]).map((s) => `${s} ${Math.round((100 * perStage[s]) / total)}%`).join(', ')}`);
    const worst = Math.max(...ratios);
    console.log(`scoped / naive: mean ${(ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(2)}×, worst ${worst.toFixed(2)}× (goal ≤ 0.50×) ${worst <= 0.5 ? 'met' : 'NOT met'}`);
  } finally {
    await stub.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
