'use strict';
// An OpenAI-compatible chat server for tests, on 127.0.0.1. Plain CommonJS so it runs both inside jest and as
// its own process (`node test/support/openai-stub-server.js --port 0 …`, e.g. for CLI crash tests where the
// stub must outlive the killed CLI). Typed wrapper for TypeScript tests: ./openai-stub.ts.
//
// Serves POST /v1/chat/completions (plain and SSE-streamed, with a final usage chunk; response_format
// json_schema; tool calls), GET /v1/models, and for control from another process GET /_stub/requests,
// POST /_stub/behavior, POST /_stub/reset. Every chat request is recorded (messages, model, stream flag,
// response_format, tools) at the moment it arrives, so tests can prove which prompts were (not) sent.

const http = require('node:http');
const { seededRandom } = require('./seeded-random.js');

const DEFAULT_BEHAVIOR = Object.freeze({
  /** Delay before the reply starts (headers included). */
  latencyMs: 0,
  /** Delay between streamed chunks. */
  tokenDelayMs: 0,
  /**
   * Served first, one per chat request: an HTTP status, 'drop' (destroy the socket), 'hang' (never answer), 'cut'
   * (a streamed answer whose connection is destroyed after its first words) or 'stall' (a streamed answer that goes
   * silent after its first words, its connection left open).
   */
  failures: [],
  /** Share (0..1) of chat requests answered with one of `failureStatuses`, drawn from a PRNG seeded by `seed`. */
  failureRate: 0,
  failureStatuses: [429, 500],
  seed: 1,
  /** Seconds sent as Retry-After with 429 replies; undefined sends none. */
  retryAfterSeconds: undefined,
  /** When false, a request with response_format json_schema gets a 400 naming response_format. */
  jsonSchemaSupported: true,
  /** Wrap JSON answered to plain-text requests in chatter and a code fence (exercises extraction). */
  jsonChatter: false,
  /** Words per streamed content chunk. */
  wordsPerChunk: 3,
  /** When false, a non-streamed request's `n` is ignored (one choice), as some OpenAI-compatible servers do. */
  choicesSupported: true,
  /** (request) => string | { status, body?, headers? } | { content } | undefined (undefined = default reply). */
  respond: undefined,
  models: ['stub-model', 'gpt-4o-mini'],
});

// ---------------------------------------------------------------------------------------------------------
// Deterministic helpers

function estimateTokens(text) {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'string' ? part : part && part.text) || '').join('');
  return content == null ? '' : JSON.stringify(content);
}

const STOPWORDS = new Set(
  'the a an and or but of to in on at for with from by as is are was were be been this that these those it its into over under who whom what when where which while their them they his her him she he you your our we not no yes answer json only schema write give each exactly one two three scene scenes story characters character premise logline outline'.split(
    ' ',
  ),
);

function keywords(prompt) {
  const seen = new Set();
  const words = [];
  for (const word of prompt.toLowerCase().match(/[a-z][a-z'-]{3,}/g) || []) {
    if (STOPWORDS.has(word) || seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  return words.length ? words : ['lighthouse', 'storm', 'letter', 'harbour'];
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const NAME_POOL = ['Ada Quill', 'Bram Hollow', 'Cora Vance', 'Dmitri Lark', 'Esme Thorn', 'Felix Marr', 'Greta Sloane', 'Hugo Penn'];
const LOCATION_POOL = ['Lighthouse Lamp Room', 'Harbour Market', 'Keeper Cottage', 'Cliff Path', 'Old Chapel', 'Ferry Dock'];

/** Cast names a prompt lists as "- Name (role): …" lines, else the stub's own pool. */
function castNames(prompt) {
  const names = [];
  for (const match of prompt.matchAll(/^\s*-\s+([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3})\s+\(/gm)) {
    if (!names.includes(match[1])) names.push(match[1]);
  }
  return names.length ? names : NAME_POOL;
}

// ---------------------------------------------------------------------------------------------------------
// A document that satisfies a JSON Schema, with strings derived from the prompt

function resolveRef(schema, root) {
  let current = schema;
  for (let depth = 0; current && current.$ref && depth < 20; depth++) {
    const path = current.$ref.replace(/^#\/?/, '').split('/').filter(Boolean);
    let target = root;
    for (const part of path) target = target && target[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    const { $ref: _ref, ...rest } = current;
    current = { ...(target || {}), ...rest };
  }
  return current || {};
}

function mergeAllOf(schema, root) {
  if (!Array.isArray(schema.allOf)) return schema;
  const merged = { ...schema, allOf: undefined };
  for (const part of schema.allOf.map((s) => resolveRef(s, root))) {
    merged.type = merged.type || part.type;
    merged.properties = { ...(merged.properties || {}), ...(part.properties || {}) };
    merged.required = [...(merged.required || []), ...(part.required || [])];
    for (const key of ['items', 'minItems', 'maxItems', 'minimum', 'maximum', 'enum', 'const', 'pattern']) {
      if (merged[key] === undefined && part[key] !== undefined) merged[key] = part[key];
    }
  }
  return merged;
}

function schemaType(schema) {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') || 'null';
  if (type) return type;
  if (schema.properties || schema.additionalProperties) return 'object';
  if (schema.items || schema.prefixItems) return 'array';
  return 'string';
}

function sentence(ctx, key, index) {
  const words = ctx.words;
  const start = (ctx.counter++ * 3 + index) % words.length;
  const picked = [0, 1, 2, 3, 4].map((i) => words[(start + i) % words.length]);
  const subject = key ? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'line';
  return `${capitalize(subject)} ${index + 1}: the ${picked[0]} and the ${picked[1]} turn on ${picked[2]}, ${picked[3]} and ${picked[4]}.`;
}

function stringFor(schema, ctx, key, index) {
  if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
  if (schema.format === 'date') return '2026-01-01';
  if (schema.format === 'uri' || schema.format === 'url') return `https://example.com/${index + 1}`;
  if (schema.format === 'email') return `writer${index + 1}@example.com`;
  const k = (key || '').toLowerCase();
  const names = ctx.names;
  let value;
  if (k === 'heading' || k === 'slugline') {
    value = `${index % 2 === 0 ? 'INT.' : 'EXT.'} ${LOCATION_POOL[index % LOCATION_POOL.length].toUpperCase()} - ${index % 3 === 2 ? 'NIGHT' : 'DAY'}`;
  } else if (k === 'location') {
    value = LOCATION_POOL[index % LOCATION_POOL.length];
  } else if (k === 'character' || k === 'speaker' || k === 'cue' || k === 'characters') {
    value = names[index % names.length];
  } else if (k === 'name' && ctx.parentKey === 'locations') {
    value = LOCATION_POOL[index % LOCATION_POOL.length];
  } else if (k === 'name') {
    // Creating a cast: the names the prompt already has first, then distinct ones from the pool.
    const cast = [...names, ...NAME_POOL.filter((name) => !names.includes(name))];
    value = cast[index % cast.length];
  } else if (k === 'title') {
    value = `The ${capitalize(ctx.words[index % ctx.words.length])} ${capitalize(ctx.words[(index + 1) % ctx.words.length])}`;
  } else if (k === 'parenthetical') {
    value = '(quietly)';
  } else if (k === 'genre') {
    value = 'drama';
  } else if (k === 'tone') {
    value = 'hopeful';
  } else if (k === 'period') {
    value = 'the present day';
  } else if (k === 'role') {
    value = ['protagonist', 'antagonist', 'mentor', 'ally'][index % 4];
  } else {
    value = sentence(ctx, key, index);
  }
  if (schema.pattern) value = matchPattern(schema.pattern, value, index);
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) value = value.padEnd(schema.minLength, '.');
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  return value;
}

function matchPattern(pattern, value, index) {
  let regex;
  try {
    regex = new RegExp(pattern, 'u');
  } catch {
    return value;
  }
  const candidates = [
    value,
    `${index % 2 === 0 ? 'INT.' : 'EXT.'} HARBOUR - DAY`,
    value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''),
    `item-${index + 1}`,
    String(index + 1),
    'a',
  ];
  return candidates.find((candidate) => regex.test(candidate)) ?? value;
}

function numberFor(schema, key, index, integer) {
  const k = (key || '').toLowerCase();
  let min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  let max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  if (typeof schema.exclusiveMinimum === 'number') min = schema.exclusiveMinimum + (integer ? 1 : 0.5);
  if (typeof schema.exclusiveMaximum === 'number') max = schema.exclusiveMaximum - (integer ? 1 : 0.5);
  let value;
  // Scores answer high so review loops do not spin against a stub that cannot improve its writing.
  if (/score|rating|coherence|relevance|interest|quality/.test(k)) value = max ?? 9;
  else if (k === 'number' || k === 'index') value = index + 1;
  else value = (min ?? 0) + index + 1;
  if (min !== undefined && value < min) value = min;
  if (max !== undefined && value > max) value = max;
  return integer ? Math.round(value) : value;
}

function generate(schemaIn, ctx, key, index) {
  const schema = mergeAllOf(resolveRef(schemaIn || {}, ctx.root), ctx.root);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const options = schema.anyOf || schema.oneOf;
  if (Array.isArray(options) && options.length) {
    const usable = options.map((o) => resolveRef(o, ctx.root)).filter((o) => o.type !== 'null');
    // Cycle through union members along an array (dialogue: action, line, transition …).
    const choice = usable.length ? usable[index % usable.length] : options[0];
    const { anyOf: _a, oneOf: _o, ...base } = schema;
    return generate({ ...base, ...choice }, ctx, key, index);
  }
  switch (schemaType(schema)) {
    case 'object': {
      const result = {};
      const properties = schema.properties || {};
      for (const [name, sub] of Object.entries(properties)) {
        const previousParent = ctx.parentKey;
        result[name] = generate(sub, ctx, name, index);
        ctx.parentKey = previousParent;
      }
      return result;
    }
    case 'array': {
      // A content-policy judge's flags: the stub's own text has nothing to flag.
      if (key === 'flags' && !schema.minItems) return [];
      // A continuity reader's facts: the stub's own sentences state none (a generated "death" would be invented).
      if (key === 'facts' && !schema.minItems) return [];
      const min = schema.minItems ?? 0;
      const max = schema.maxItems ?? Math.max(3, min);
      const count = Math.max(min, Math.min(3, max));
      const previousParent = ctx.parentKey;
      ctx.parentKey = key;
      const items = [];
      for (let i = 0; i < count; i++) {
        const itemSchema = Array.isArray(schema.prefixItems) && i < schema.prefixItems.length ? schema.prefixItems[i] : schema.items;
        items.push(generate(itemSchema || { type: 'string' }, ctx, key, i));
      }
      ctx.parentKey = previousParent;
      return items;
    }
    case 'integer':
      return numberFor(schema, key, index, true);
    case 'number':
      return numberFor(schema, key, index, false);
    case 'boolean':
      return key === 'interior' ? index % 2 === 0 : true;
    case 'null':
      return null;
    default:
      return stringFor(schema, ctx, key, index);
  }
}

/** A value that satisfies `schema` (objects get every property), with strings derived from `prompt`. */
function documentForSchema(schema, prompt) {
  const ctx = { root: schema, words: keywords(prompt), names: castNames(prompt), counter: 0, parentKey: undefined };
  return generate(schema, ctx, undefined, 0);
}

/** The JSON Schema a JSON-only text prompt carries after "JSON Schema:" (the caller's fallback path). */
function schemaInPrompt(prompt) {
  const marker = prompt.lastIndexOf('JSON Schema:');
  if (marker === -1) return undefined;
  const line = prompt.slice(marker + 'JSON Schema:'.length).trim().split('\n')[0];
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Requests and replies

function lastUserPrompt(messages) {
  const users = messages.filter((m) => m.role === 'user');
  return users.length ? users[users.length - 1].content : '';
}

/** The story part of the conversation: without the caller's JSON-only and repair instructions. */
function storyText(messages) {
  return messages
    .filter((m) => m.role !== 'assistant')
    .map((m) => m.content.split(/\n*(?:Answer with JSON only|Your previous answer could not be used|JSON Schema:)/)[0])
    .join('\n');
}

function defaultReply(request, behavior) {
  const prompt = storyText(request.messages);
  if (request.responseFormat && request.responseFormat.type === 'json_schema') {
    const schema = request.responseFormat.json_schema && request.responseFormat.json_schema.schema;
    return { content: JSON.stringify(documentForSchema(schema || {}, prompt)) };
  }
  if (request.tools && request.tools.length) {
    const tool = request.tools[0].function || {};
    return { toolCall: { name: tool.name, arguments: JSON.stringify(documentForSchema(tool.parameters || {}, prompt)) } };
  }
  if (request.responseFormat && request.responseFormat.type === 'json_object') {
    return { content: JSON.stringify({ answer: sentence({ words: keywords(prompt), counter: 0 }, 'answer', 0) }) };
  }
  const schema = schemaInPrompt(lastUserPrompt(request.messages));
  if (schema) {
    const json = JSON.stringify(documentForSchema(schema, prompt), null, 2);
    return { content: behavior.jsonChatter ? `Sure, here is the JSON you asked for:\n\n\`\`\`json\n${json}\n\`\`\`\nLet me know if you need changes.` : json };
  }
  const prompt0 = lastUserPrompt(request.messages);
  if (/Fountain format/i.test(prompt0)) return { content: screenplayReply(prompt0) };
  const words = keywords(prompt0);
  return {
    content: `Stub reply. The ${words[0]} waits by the ${words[1 % words.length]}. Nobody speaks of the ${words[2 % words.length]} until morning.`,
  };
}

/** A screenplay scene for Storyloom's dialogue prompts: its heading, action, cues only from the names it allows. */
function screenplayReply(prompt) {
  const heading = (prompt.match(/heading "([^"]+)"/) || [])[1] || 'INT. HARBOUR - DAY';
  const allowed = (prompt.match(/\(only these names: ([^)]+)\)/) || [])[1];
  const cues = allowed ? allowed.split(/,\s*/).filter(Boolean) : ['ADA QUILL', 'BRAM HOLLOW'];
  const words = keywords(prompt.split(/\n\nWrite scene/)[0]);
  const word = (i) => words[i % words.length];
  const blocks = [heading, `Rain beads on the glass. The ${word(0)} waits where the ${word(1)} was left.`];
  for (let i = 0; i < 4; i++) {
    const cue = cues[i % cues.length];
    const line = `Line ${i + 1}: the ${word(2 + i)} will not wait for the ${word(5 + i)}.`;
    blocks.push(i === 1 ? `${cue}\n(quietly)\n${line}` : `${cue}\n${line}`);
  }
  blocks.push(`The ${word(9)} goes dark. Nobody moves.`);
  return blocks.join('\n\n');
}

function chunkWords(text, wordsPerChunk) {
  const pieces = text.match(/\S+\s*|\s+/g) || [text];
  const chunks = [];
  for (let i = 0; i < pieces.length; i += wordsPerChunk) chunks.push(pieces.slice(i, i + wordsPerChunk).join(''));
  return chunks.length ? chunks : [''];
}

function errorBody(status, message, param) {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: param ?? null, code: null } };
}

function sleep(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, body, headers = {}) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Starts the stub. Resolves to { url, origin, port, requests, setBehavior, behavior, reset, close }.
 * `url` ends in /v1 (what OPENAI_BASE_URL expects); `origin` is what OLLAMA_BASE_URL expects.
 */
function startOpenAIStub(initial = {}, options = {}) {
  let behavior = { ...DEFAULT_BEHAVIOR, ...initial, failures: [...(initial.failures || [])] };
  let random = seededRandom(behavior.seed);
  const requests = [];
  const sockets = new Set();
  let nextId = 1;

  function setBehavior(patch) {
    behavior = { ...behavior, ...patch };
    if (patch.failures) behavior.failures = [...patch.failures];
    if (patch.seed !== undefined) random = seededRandom(patch.seed);
  }

  function pickFailure() {
    if (behavior.failures.length) return behavior.failures.shift();
    if (behavior.failureRate > 0 && random() < behavior.failureRate) {
      const statuses = behavior.failureStatuses.length ? behavior.failureStatuses : [500];
      return statuses[Math.floor(random() * statuses.length)];
    }
    return undefined;
  }

  /** `api`: 'openai' (/v1/chat/completions, SSE) or 'ollama' (/api/chat, NDJSON; `format` maps to responseFormat). */
  async function chat(req, res, raw, api) {
    const ollama = api === 'ollama';
    const fail = (status, message, param) => sendJson(res, status, ollama ? { error: message } : errorBody(status, message, param));
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return fail(400, 'request body is not valid JSON');
    }
    const messages = (body.messages || []).map((m) => ({ role: m.role, content: contentText(m.content) }));
    const ollamaFormat = ollama && body.format
      ? body.format === 'json'
        ? { type: 'json_object' }
        : { type: 'json_schema', json_schema: { name: 'format', schema: body.format } }
      : undefined;
    const request = {
      id: nextId++,
      api,
      at: Date.now(),
      model: body.model,
      stream: ollama ? body.stream !== false : body.stream === true,
      messages,
      prompt: lastUserPrompt(messages),
      responseFormat: ollama ? ollamaFormat : body.response_format,
      authorization: req.headers.authorization,
      tools: body.tools,
      toolChoice: body.tool_choice,
      streamOptions: body.stream_options,
      body,
      status: undefined,
    };
    requests.push(request);
    if (options.onRequest) options.onRequest(request);

    const failure = pickFailure();
    if (failure === 'hang') return; // never answers: the client's timeout must act
    await sleep(behavior.latencyMs);
    if (res.destroyed) return;
    if (failure === 'drop') {
      request.status = 'dropped';
      return req.socket.destroy();
    }
    if (typeof failure === 'number') {
      request.status = failure;
      const headers = failure === 429 && behavior.retryAfterSeconds !== undefined ? { 'retry-after': String(behavior.retryAfterSeconds) } : {};
      const message = failure === 429 ? 'Rate limit reached (stub)' : failure >= 500 ? 'The server had an error (stub)' : `stub failure ${failure}`;
      if (ollama) return sendJson(res, failure, { error: message }, headers);
      return sendJson(res, failure, errorBody(failure, message), headers);
    }
    if (!ollama && request.responseFormat && request.responseFormat.type === 'json_schema' && !behavior.jsonSchemaSupported) {
      request.status = 400;
      return fail(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported by this server.", 'response_format');
    }

    let reply = behavior.respond ? await behavior.respond(request) : undefined;
    if (typeof reply === 'string') reply = { content: reply };
    if (!reply) reply = defaultReply(request, behavior);
    if (typeof reply.status === 'number' && reply.status !== 200) {
      request.status = reply.status;
      return sendJson(res, reply.status, reply.body ?? (ollama ? { error: `stub reply ${reply.status}` } : errorBody(reply.status, `stub reply ${reply.status}`)), reply.headers);
    }
    request.status = 200;
    const content = reply.content ?? '';
    const toolCall = reply.toolCall;
    const promptTokens = estimateTokens(messages.map((m) => m.content).join('\n'));
    const completionTokens = estimateTokens(toolCall ? toolCall.arguments : content);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    request.usage = usage;
    const id = `chatcmpl-stub-${request.id}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model || 'stub-model';
    const finishReason = toolCall ? 'tool_calls' : 'stop';
    request.reply = toolCall ? { toolCall } : { content };
    if (ollama) return writeOllama(res, request, content, promptTokens, completionTokens, model);

    if (!request.stream) {
      const message = toolCall
        ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${request.id}`, type: 'function', function: toolCall }] }
        : { role: 'assistant', content, refusal: null };
      // `n` alternatives: the reply first, then the reply asked for again with `request.choice` set (a `respond`
      // may vary it), or else the reply marked as alternative k.
      const count = behavior.choicesSupported && !toolCall && Number.isInteger(body.n) && body.n > 1 ? Math.min(body.n, 8) : 1;
      const choices = [{ index: 0, message, logprobs: null, finish_reason: finishReason }];
      for (let k = 1; k < count; k++) {
        let alternative = behavior.respond ? await behavior.respond({ ...request, choice: k }) : undefined;
        if (typeof alternative === 'string') alternative = { content: alternative };
        const text = alternative && typeof alternative.content === 'string' ? alternative.content : `${content}\n\n(alternative ${k + 1})`;
        choices.push({ index: k, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' });
      }
      return sendJson(res, 200, { id, object: 'chat.completion', created, model, choices, usage });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (payload) => {
      if (!res.destroyed) res.write(`data: ${JSON.stringify(payload)}\n\n`);
    };
    const chunk = (delta, finish = null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    send(chunk({ role: 'assistant', content: '' }));
    const pieces = chunkWords(toolCall ? toolCall.arguments : content, behavior.wordsPerChunk);
    for (const [i, piece] of pieces.entries()) {
      if (res.destroyed) return;
      if (i > 0 && failure === 'cut') {
        // Long enough for the client to have read the first words, as it would from a server that died mid-answer.
        await sleep(Math.max(behavior.tokenDelayMs, 20));
        request.status = 'cut';
        return req.socket.destroy();
      }
      if (i > 0 && failure === 'stall') {
        request.status = 'stalled';
        return; // the client's silence timeout must act
      }
      if (i > 0) await sleep(behavior.tokenDelayMs);
      if (toolCall) {
        const call = { index: 0, function: { arguments: piece } };
        if (i === 0) Object.assign(call, { id: `call_${request.id}`, type: 'function', function: { name: toolCall.name, arguments: piece } });
        send(chunk({ tool_calls: [call] }));
      } else {
        send(chunk({ content: piece }));
      }
    }
    send(chunk({}, finishReason));
    if (body.stream_options && body.stream_options.include_usage) {
      send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
    }
    if (!res.destroyed) res.end('data: [DONE]\n\n');
  }

  /** Ollama's /api/chat reply: NDJSON chunks then a `done` line with token counts (or one object). */
  async function writeOllama(res, request, content, promptTokens, completionTokens, model) {
    const line = (message, done, extra = {}) => ({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: message }, done, ...extra });
    const final = { done_reason: 'stop', total_duration: 1, load_duration: 0, prompt_eval_count: promptTokens, prompt_eval_duration: 1, eval_count: completionTokens, eval_duration: 1 };
    if (!request.stream) return sendJson(res, 200, line(content, true, final));
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const [i, piece] of chunkWords(content, behavior.wordsPerChunk).entries()) {
      if (res.destroyed) return;
      if (i > 0) await sleep(behavior.tokenDelayMs);
      res.write(`${JSON.stringify(line(piece, false))}\n`);
    }
    if (!res.destroyed) res.end(`${JSON.stringify(line('', true, final))}\n`);
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url || '/', 'http://127.0.0.1');
      const raw = await readBody(req);
      const path = url.pathname.replace(/\/+$/, '');
      if (req.method === 'POST' && path === '/v1/chat/completions') return await chat(req, res, raw, 'openai');
      if (req.method === 'POST' && path === '/api/chat') return await chat(req, res, raw, 'ollama');
      if (req.method === 'GET' && path === '/api/tags') {
        return sendJson(res, 200, { models: behavior.models.map((name) => ({ name, model: name, modified_at: '2026-01-01T00:00:00Z', size: 0 })) });
      }
      if (req.method === 'GET' && path === '/v1/models') {
        return sendJson(res, 200, { object: 'list', data: behavior.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'storyloom-stub' })) });
      }
      if (req.method === 'GET' && path === '/_stub/requests') return sendJson(res, 200, requests.map(serializable));
      if (req.method === 'POST' && path === '/_stub/behavior') {
        setBehavior(raw ? JSON.parse(raw) : {});
        return sendJson(res, 200, { behavior: { ...behavior, respond: undefined } });
      }
      if (req.method === 'POST' && path === '/_stub/reset') {
        requests.length = 0;
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, errorBody(404, `no route ${req.method} ${url.pathname} on the stub`));
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, errorBody(500, `stub error: ${error && error.message}`));
      else res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        origin: `http://127.0.0.1:${port}`,
        port,
        requests,
        get behavior() {
          return behavior;
        },
        setBehavior,
        reset() {
          requests.length = 0;
        },
        close() {
          return new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          });
        },
      });
    });
  });
}

function serializable(request) {
  const { body: _body, ...rest } = request;
  return rest;
}

/** Command line: node openai-stub-server.js [--port N] [--latency ms] [--token-delay ms] [--failures 429,500,drop]
 *  [--failure-rate 0.2] [--seed N] [--no-json-schema] [--json-chatter] [--retry-after s]. Prints one JSON line
 *  { "url": "http://127.0.0.1:PORT/v1", "origin": "http://127.0.0.1:PORT", "port": PORT } on stdout when listening; stops on SIGTERM/SIGINT. */
async function main(argv = process.argv.slice(2)) {
  const behavior = {};
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    if (flag === '--port') port = Number(value());
    else if (flag === '--latency') behavior.latencyMs = Number(value());
    else if (flag === '--token-delay') behavior.tokenDelayMs = Number(value());
    else if (flag === '--failures') behavior.failures = value().split(',').map((f) => (/^\d+$/.test(f) ? Number(f) : f));
    else if (flag === '--failure-rate') behavior.failureRate = Number(value());
    else if (flag === '--seed') behavior.seed = Number(value());
    else if (flag === '--retry-after') behavior.retryAfterSeconds = Number(value());
    else if (flag === '--no-json-schema') behavior.jsonSchemaSupported = false;
    else if (flag === '--json-chatter') behavior.jsonChatter = true;
    else throw new Error(`openai-stub-server: unknown option ${flag}`);
  }
  const stub = await startOpenAIStub(behavior, { port });
  process.stdout.write(`${JSON.stringify({ url: stub.url, origin: stub.origin, port: stub.port })}\n`);
  const stop = () => stub.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return stub;
}

module.exports = { startOpenAIStub, documentForSchema, main, DEFAULT_BEHAVIOR };

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  });
}
