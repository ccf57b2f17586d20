'use strict';
// Scripted stub answers for Storyloom's story stages, shared by tests and benchmarks: scene cards in the number
// asked for (within the enums the structured-output schema offers), screenplay scenes that play their card's
// beat with only the cues the prompt allows, and a judge's verdict. Plain CommonJS like the stub itself.

const SPEECHES = [
  'You kept the log open on the table all night, and you never once wrote in it.',
  'The supply boat is three days late and the radio only gives us static and gulls.',
  'If he drowned in March, then who posted a letter from the mainland last Tuesday?',
  'Read it again. Slowly this time. Tell me the date printed at the very top.',
  'I trimmed the wick myself at dusk; somebody climbed those stairs after me.',
  'Mother burned every photograph of him. She said the sea keeps what it takes.',
  'Keep your voice down. Sound carries up the tower like water through a pipe.',
  'There is salt on the envelope, fresh salt, as though it came out of the waves.',
  'We could row across before the weather turns, if you stop arguing with me.',
  'Nobody else has a key to the lamp room. Nobody except the two of us.',
  'I hear footsteps on the gallery at four every morning, regular as the lens.',
  'Tomorrow is the anniversary. Maybe that is all this is: grief with a postmark.',
];

/** The scene number a dialogue prompt asks for, or undefined for any other request. */
function sceneOf(request) {
  const match = /Write scene (\d+) as a screenplay/.exec(request.prompt);
  return match ? Number(match[1]) : undefined;
}

function isJudge(request) {
  return /Judge this text as a script editor/.test(request.prompt);
}

function isPolicyJudge(request) {
  return /Check this fiction for content a producer must look at/.test(request.prompt);
}

function isSceneCards(request) {
  return /Turn the outline into scene cards/.test(request.prompt) && Boolean(request.responseFormat);
}

/** The scene number a continuity reader asks about (a written scene), 0 for the plan, undefined otherwise. */
function continuityOf(request) {
  const match = /List the continuity facts (this plan|scene (\d+)) establishes/.exec(request.prompt);
  if (!match) return undefined;
  return match[2] ? Number(match[2]) : 0;
}

/**
 * Facts in the shape asked for: from the plan, two per card (what its first and its last character learn), so a
 * test can tell which scene's facts reached which prompt; from a written scene, how it leaves the lamp.
 */
function continuityReply(request) {
  const scene = continuityOf(request);
  if (scene > 0) return JSON.stringify({ facts: [{ scene, kind: 'state', subject: 'the lamp', text: `The lamp burns through night ${scene}.` }] });
  const facts = [];
  for (const match of request.prompt.matchAll(/^(\d+)\. [^|]+\| ([^|]*) \|/gm)) {
    const n = Number(match[1]);
    const names = match[2].split(', ').filter(Boolean);
    if (names.length === 0) continue;
    facts.push({ scene: n, kind: 'knowledge', subject: names[0], text: `${names[0]} knows secret ${n}.` });
    if (names.length > 1) facts.push({ scene: n, kind: 'knowledge', subject: names[names.length - 1], text: `${names[names.length - 1]} hides secret ${n}.` });
  }
  return JSON.stringify({ facts });
}

/** A clean scene in the form asked for: the heading it was given, its card's beat played, only the allowed cues. */
function sceneReply(request) {
  const heading = /heading "([^"]+)"/.exec(request.prompt)[1];
  const names = /\(only these names: ([^)]+)\)/.exec(request.prompt)[1].split(', ');
  const beat = /\nBeat: (.+)/.exec(request.prompt)[1];
  const n = sceneOf(request);
  const lines = SPEECHES.slice(0, 9).map((_, i) => `${names[i % names.length]}\n${SPEECHES[(i + n * 2) % SPEECHES.length]} (${n}.${i})\n`);
  const action = `Wind rattles the glass. ${beat} The beam turns over black water while gulls settle on the rail.`;
  return [heading, '', action, '', ...lines, `Scene ${n} ends as the lamp completes its ${n + 2}th slow turn.`].join('\n');
}

/** `count` scene cards inside the location and cast enums of the request's structured-output schema. */
function sceneCardsReply(request, count) {
  const card = request.responseFormat.json_schema.schema.properties.scenes.items;
  const places = card.properties.location.enum;
  const names = card.properties.characters.items.enum;
  // A rewrite of the plan (its prompt carries notes) moves scene 3's turn earlier; every other card stays as it was.
  const replanned = /\nNotes to address:/.test(request.prompt);
  const scenes = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    if (replanned && n === 3) {
      return { ...cardOf(n, i), beat: 'Beat 3: the keeper confronts the supply boat captain at the rail.', turn: 'Turn 3: the reversal, moved up.' };
    }
    return cardOf(n, i);
  });
  function cardOf(n, i) {
    return {
      number: n,
      heading: `INT. ${places[i % places.length].toUpperCase()} - NIGHT`,
      location: places[i % places.length],
      characters: [...new Set([names[0], names[n % names.length]])],
      act: Math.min(3, 1 + Math.floor((3 * i) / count)),
      beat: `Beat ${n}: the keeper reads letter ${n} aloud.`,
      goal: `Goal ${n}.`,
      conflict: `Conflict ${n}.`,
      turn: `Turn ${n}.`,
      outcome: `Outcome ${n}: the tide mark rises to rung ${n}.`,
      subBeats: [`Step ${n}a.`, `Step ${n}b.`],
      summary: `Summary ${n}: the keeper and the letter, night ${n}.`,
    };
  }
  return JSON.stringify({ scenes });
}

/** A judge's verdict in the rubric's shape: passing, with no notes, unless `verdict` says otherwise. */
function judgeReply(verdict = {}) {
  return JSON.stringify({ coherence: 8, relevance: 8, interest: 7, score: 8, storyText: true, beatsMissed: [], notes: [], comment: 'Works.', ...verdict });
}

/** A `respond` for the stub: the story stages scripted as above, `count` scene cards; other requests as default. */
function storyResponder(count) {
  return (request) => {
    if (isJudge(request)) return judgeReply();
    if (isPolicyJudge(request)) return JSON.stringify({ flags: [] });
    if (isSceneCards(request)) return sceneCardsReply(request, count);
    if (continuityOf(request) !== undefined) return continuityReply(request);
    if (sceneOf(request) !== undefined) return { content: sceneReply(request) };
    return undefined;
  };
}

module.exports = { sceneOf, continuityOf, continuityReply, isJudge, isPolicyJudge, isSceneCards, sceneReply, sceneCardsReply, judgeReply, storyResponder };
