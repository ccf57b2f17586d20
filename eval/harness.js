// The evaluation harness: the shipped screenplay pipeline against a single-prompt baseline on a set of premises,
// with any configured model, judged pairwise by a judge model on four criteria, each pair judged twice with the
// positions swapped (a judge's preference for the first or second text cancels out). What Re3 and DOC report:
// win rates of one system over another, not absolute scores. Needs `npm run build` first.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { z } = require('zod');

const dist = path.join(__dirname, '../packages/engine/dist');
function engineModule() {
  if (!fs.existsSync(path.join(dist, 'node.js'))) throw new Error('packages/engine/dist is missing: run `npm run build` first');
  return require(path.join(dist, 'node.js'));
}

const CRITERIA = [
  { id: 'coherence', question: 'Which text is more coherent: events follow from each other, nothing contradicts what came before?' },
  { id: 'characters', question: 'In which text do the characters stay more consistent: the same voices, wants and knowledge throughout?' },
  { id: 'dialogue', question: 'Which text has the better dialogue: distinct voices, subtext, no repetition?' },
  { id: 'premise', question: 'Which text is more faithful to the premise: it tells that story, with its people and stakes?' },
];

const DEFAULT_PREMISES = [
  'A lighthouse keeper finds a letter from her drowned brother, dated tomorrow.',
  'A retired safecracker is hired to open the vault that ruined her career.',
  'Two rival bakers are snowed in together the night before the village contest.',
  'A night-shift engineer on an orbital station hears a distress call from a ship scrapped ten years ago.',
];

const VerdictSchema = z.strictObject({ winner: z.enum(['first', 'second', 'tie']), reason: z.string() });

/** The pipeline's screenplay as plain text, one scene after another. */
function screenplayText(engine, view) {
  const { screenplaySceneText } = engine;
  const dialogue = view.nodes.lines?.output;
  return (dialogue?.scenes ?? []).map((scene) => screenplaySceneText(scene)).join('\n\n');
}

async function runPipeline(engine, premise, scenes, model, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-eval-'));
  const storyloom = await engine.openStoryloom({ dbPath: path.join(dir, 'eval.db'), env });
  try {
    const pipeline = JSON.parse(fs.readFileSync(path.join(__dirname, '../pipelines/short-screenplay.json'), 'utf8'));
    const run = await storyloom.startRun({ pipeline, inputs: { premise, scenes }, model, autoApprove: true });
    const done = await storyloom.drive(run.id);
    // A policy flag waits for a person; the eval reads the text as it stands.
    if (done.status !== 'completed' && done.status !== 'waiting') throw new Error(`pipeline run ${done.status}: ${done.error ?? ''}`);
    return { text: screenplayText(engine, done), tokens: Object.values(done.nodes).reduce((sum, node) => sum + (node.usage?.totalTokens ?? 0), 0) };
  } finally {
    await storyloom.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: the whole screenplay from one prompt, as a writer would ask a chat model. */
function baselinePrompt(premise, scenes) {
  return (
    `Premise: ${premise}\n\nWrite a short screenplay of ${scenes} scenes for this premise in Fountain format: scene ` +
    'headings (INT./EXT.), action, character cues in capitals and dialogue. Answer with the screenplay only.'
  );
}

/** What the offline model answers for the baseline: a placeholder that says what it stands in for. */
function offlineBaseline(premise, scenes) {
  const blocks = [];
  for (let n = 1; n <= scenes; n++) {
    blocks.push(`INT. A ROOM - DAY`, `(Offline baseline, scene ${n} of ${scenes}: one prompt, no plan.) ${premise}`, 'SOMEONE', 'We should talk about it.');
  }
  return blocks.join('\n\n');
}

/**
 * The offline judge has no taste: it prefers the text the review's checks find fewer problems in per scene,
 * then the one that shows more speaking characters. Deterministic and blind to position, so its swapped
 * verdicts agree.
 */
function offlineVerdict(engine, first, second) {
  const measure = (text) => {
    const scenes = text.split(/\n(?=(?:INT\.|EXT\.))/).map((scene, i) => engine.parseScreenplayScene(scene, i + 1, []));
    const document = engine.reviewDocumentOf({ scenes: scenes.length > 0 ? scenes : [{ number: 1, heading: '', elements: [] }] });
    const problems = engine.runChecks({ document, cast: [], knownWords: new Set() }).length / Math.max(1, scenes.length);
    const speakers = new Set(scenes.flatMap((s) => s.elements.filter((e) => e.type === 'line').map((e) => e.character))).size;
    return { problems, speakers };
  };
  const a = measure(first);
  const b = measure(second);
  if (a.problems !== b.problems) return { winner: a.problems < b.problems ? 'first' : 'second', reason: 'fewer problems found by the checks' };
  if (a.speakers !== b.speakers) return { winner: a.speakers > b.speakers ? 'first' : 'second', reason: 'more speaking characters' };
  return { winner: 'tie', reason: 'the checks cannot tell them apart' };
}

function judgePrompt(premise, criterion, first, second) {
  return [
    `Premise: ${premise}`,
    `Text 1:\n${first}`,
    `Text 2:\n${second}`,
    `${criterion.question} Judge only this criterion; length alone is not quality. ` +
      'Answer as JSON: {"winner": "first" | "second" | "tie", "reason": string}.',
  ].join('\n\n');
}

/**
 * Runs the comparison. `model` and `judge` are model specs (strings like "openai:gpt-4o-mini" or objects);
 * `env` is where keys and base URLs come from. Returns the per-criterion tallies and each premise's verdicts.
 */
async function runEval({ model = 'offline', judge, premises = DEFAULT_PREMISES, scenes = 4, env = {}, log = () => {} } = {}) {
  const engine = engineModule();
  const modelSpec = engine.resolveModelSpec([model], env);
  const judgeSpec = engine.resolveModelSpec([judge ?? model], env);
  const writer = engine.createModelCaller({ spec: modelSpec, env });
  const judgeCaller = engine.createModelCaller({ spec: judgeSpec, env });
  const tallies = Object.fromEntries(CRITERIA.map((c) => [c.id, { pipeline: 0, baseline: 0, tie: 0 }]));
  const results = [];
  for (const premise of premises) {
    log(`premise: ${premise}`);
    const pipeline = await runPipeline(engine, premise, scenes, modelSpec, env);
    const baseline = await writer.text({ label: 'baseline', prompt: baselinePrompt(premise, scenes), offline: () => offlineBaseline(premise, scenes) });
    const verdicts = {};
    for (const criterion of CRITERIA) {
      // Both orders: the pipeline first, then the baseline first.
      const ask = (first, second) =>
        judgeCaller.json({
          label: `judge-${criterion.id}`,
          system: 'You are a careful script editor comparing two drafts. You are fair to both and never favour a position.',
          prompt: judgePrompt(premise, criterion, first, second),
          schema: VerdictSchema,
          temperature: 0,
          offline: () => offlineVerdict(engine, first, second),
        });
      const [forward, swapped] = [await ask(pipeline.text, baseline), await ask(baseline, pipeline.text)];
      const pipelineVotes = (forward.winner === 'first' ? 1 : 0) + (swapped.winner === 'second' ? 1 : 0);
      const baselineVotes = (forward.winner === 'second' ? 1 : 0) + (swapped.winner === 'first' ? 1 : 0);
      // A win needs both orders to agree more for one side than the other; otherwise it is a tie.
      const outcome = pipelineVotes > baselineVotes ? 'pipeline' : baselineVotes > pipelineVotes ? 'baseline' : 'tie';
      tallies[criterion.id][outcome]++;
      verdicts[criterion.id] = { outcome, forward: forward.winner, swapped: swapped.winner };
    }
    results.push({ premise, verdicts, pipelineTokens: pipeline.tokens, pipelineChars: pipeline.text.length, baselineChars: baseline.length });
  }
  return { model: engine.describeModel(modelSpec, env), judge: engine.describeModel(judgeSpec, env), premises: premises.length, tallies, results };
}

/** The report as a table of win rates, a tie counting half to each side. */
function formatReport(report) {
  const lines = [
    `Pipeline (short-screenplay) vs single-prompt baseline on ${report.premises} premise(s)`,
    `writer: ${report.model}; judge: ${report.judge}; every pair judged twice, positions swapped`,
    '',
    'criterion     pipeline  baseline  ties  pipeline win rate',
  ];
  for (const criterion of CRITERIA) {
    const t = report.tallies[criterion.id];
    const total = t.pipeline + t.baseline + t.tie;
    const rate = total === 0 ? 0 : (t.pipeline + t.tie / 2) / total;
    lines.push(`${criterion.id.padEnd(12)}  ${String(t.pipeline).padStart(8)}  ${String(t.baseline).padStart(8)}  ${String(t.tie).padStart(4)}  ${(rate * 100).toFixed(0).padStart(16)}%`);
  }
  if (/^offline/.test(report.judge)) {
    lines.push('', 'The offline judge counts check findings; it has no taste. Judge with a real model (--judge) for figures that mean something.');
  }
  return lines.join('\n');
}

module.exports = { runEval, formatReport, CRITERIA, DEFAULT_PREMISES };
