'use strict';
// Writes a tiny GPT-2-shaped Transformers model folder for tests and benchmarks (nothing committed or
// downloaded): config.json, tokenizer.json (byte-level BPE over the 256 GPT-2 byte symbols plus <|endoftext|>),
// tokenizer_config.json and onnx/model.onnx, the ONNX protobuf encoded by hand. The graph takes GPT-2's export
// inputs (input_ids, attention_mask) and gives its output (logits [batch, sequence, vocab]):
//   logits = (Embedding[input_ids] * attention_mask) · W + bias
// with seeded random weights; the bias favours printable ASCII and end-of-text so random answers end.
// Plain CommonJS so both jest (TypeScript tests) and bench/ (plain node) can use it.

const fs = require('node:fs');
const path = require('node:path');
const { byteBias, gaussianSampler } = require('./tiny-gguf.js');
const { seededRandom } = require('./seeded-random.js');

const VOCAB = 257; // 256 byte symbols + <|endoftext|>
const EOS = 256;

// --- protobuf wire format -------------------------------------------------------------------------------
function varint(value) {
  let n = BigInt(value);
  if (n < 0n) n += 1n << 64n; // two's complement, as protobuf encodes negative int64
  const bytes = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0n);
  return Buffer.from(bytes);
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, value) => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field, data) => {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return Buffer.concat([key(field, 2), varint(buffer.length), buffer]);
};
const message = (field, parts) => bytes(field, Buffer.concat(parts));

// --- ONNX messages (field numbers from onnx.proto) ----------------------------------------------------------
const FLOAT = 1;
const INT64 = 7;

function tensor(name, dataType, dims, raw) {
  return [...dims.map((dim) => int(1, dim)), int(2, dataType), bytes(8, name), bytes(9, raw)];
}

function valueInfo(name, elemType, dims) {
  const shape = dims.map((dim) => message(1, [typeof dim === 'number' ? int(1, dim) : bytes(2, dim)]));
  const tensorType = message(1, [int(1, elemType), message(2, shape)]);
  return [bytes(1, name), message(2, [tensorType])];
}

function node(opType, inputs, outputs, attributes = []) {
  return [...inputs.map((input) => bytes(1, input)), ...outputs.map((output) => bytes(2, output)), bytes(3, `${opType}_${outputs[0]}`), bytes(4, opType), ...attributes];
}

function intAttribute(name, value) {
  return message(5, [bytes(1, name), int(20, 2), int(3, value)]);
}

function floats(values) {
  return Buffer.from(Float32Array.from(values).buffer);
}

function onnxModel(seed, embedding, endBias, closeBias) {
  const gaussian = gaussianSampler(seededRandom(seed));
  const embeddings = floats(Array.from({ length: VOCAB * embedding }, () => gaussian(1)));
  const projection = floats(Array.from({ length: embedding * VOCAB }, () => gaussian(0.15)));
  const bias = floats(Array.from({ length: VOCAB }, (_, token) => (token === EOS ? endBias : byteBias(token, closeBias))));
  const lastAxis = Buffer.from(BigInt64Array.from([-1n]).buffer);
  const graph = [
    message(1, node('Gather', ['wte', 'input_ids'], ['embedded'])),
    message(1, node('Cast', ['attention_mask'], ['mask_float'], [intAttribute('to', FLOAT)])),
    message(1, node('Unsqueeze', ['mask_float', 'last_axis'], ['mask_column'])),
    message(1, node('Mul', ['embedded', 'mask_column'], ['hidden'])),
    message(1, node('MatMul', ['hidden', 'lm_head'], ['projected'])),
    message(1, node('Add', ['projected', 'lm_bias'], ['logits'])),
    bytes(2, 'tiny-gpt2'),
    message(5, tensor('wte', FLOAT, [VOCAB, embedding], embeddings)),
    message(5, tensor('lm_head', FLOAT, [embedding, VOCAB], projection)),
    message(5, tensor('lm_bias', FLOAT, [VOCAB], bias)),
    message(5, tensor('last_axis', INT64, [1], lastAxis)),
    message(11, valueInfo('input_ids', INT64, ['batch_size', 'sequence_length'])),
    message(11, valueInfo('attention_mask', INT64, ['batch_size', 'sequence_length'])),
    message(12, valueInfo('logits', FLOAT, ['batch_size', 'sequence_length', VOCAB])),
  ];
  return Buffer.concat([int(1, 8), bytes(2, 'storyloom-tests'), message(7, graph), message(8, [bytes(1, ''), int(2, 13)])]);
}

/** GPT-2's reversible byte → printable-character table (bytes_to_unicode). */
function byteSymbols() {
  const printable = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const symbols = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) symbols[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return symbols;
}

function tokenizerJson() {
  const vocab = {};
  byteSymbols().forEach((symbol, byte) => (vocab[symbol] = byte));
  vocab['<|endoftext|>'] = EOS;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: EOS, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}

/**
 * Writes the folder and returns its path. Options: seed (weights, default 4321), embedding (default 32),
 * endBias (how likely end-of-text is: default 1.6; -20 writes until stopped), closeBias (closing quotes and
 * brackets, as in tiny-gguf.js), positions (context, default 1024).
 */
function writeTinyTransformersModel(folder, options = {}) {
  const embedding = options.embedding ?? 32;
  fs.mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  const config = {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: VOCAB,
    n_positions: options.positions ?? 1024,
    n_ctx: options.positions ?? 1024,
    n_embd: embedding,
    n_layer: 1,
    n_head: 1,
    bos_token_id: EOS,
    eos_token_id: EOS,
    use_cache: false,
  };
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  fs.writeFileSync(
    path.join(folder, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', model_max_length: 1024 }),
  );
  fs.writeFileSync(path.join(folder, 'generation_config.json'), JSON.stringify({ bos_token_id: EOS, eos_token_id: EOS }));
  fs.writeFileSync(path.join(folder, 'onnx', 'model.onnx'), onnxModel(options.seed ?? 4321, embedding, options.endBias ?? 1.6, options.closeBias));
  return folder;
}

module.exports = { writeTinyTransformersModel };
