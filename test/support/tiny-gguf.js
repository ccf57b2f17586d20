'use strict';
// Writes a tiny GGUF model for tests and benchmarks (no model is committed or downloaded): llama architecture,
// seeded random F32 weights, a byte-level vocabulary (<unk>, <s>, </s>, then one token per byte), ~0.5 MB.
//
// Random weights make gibberish, which is the point: the real loading, sampling, grammar and cancel code runs
// on it. So that a random model still finishes its answers in a reasonable number of tokens, every token
// embedding carries one large constant feature; after RMS norm it dominates, and the output weights on that
// feature act as a per-token bias: printable ASCII likely, closing quotes and brackets and end-of-text somewhat
// likely, control bytes and stray UTF-8 continuation bytes unlikely. Sampling among them is still random.
// Plain CommonJS so both jest (TypeScript tests) and bench/ (plain node) can use it.

const fs = require('node:fs');
const { seededRandom } = require('./seeded-random.js');

const GGUF_TYPE = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 };
const ALIGNMENT = 32;

/** Normally distributed numbers (Box–Muller) of a given scale, from a uniform generator. */
function gaussianSampler(random) {
  return (scale) => scale * Math.sqrt(-2 * Math.log(Math.max(random(), 1e-9))) * Math.cos(2 * Math.PI * random());
}

/** Little-endian byte builder. */
class Bytes {
  constructor() {
    this.parts = [];
    this.length = 0;
  }
  push(buffer) {
    this.parts.push(buffer);
    this.length += buffer.length;
  }
  u32(value) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  i32(value) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    this.push(b);
  }
  u64(value) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  f32(value) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.push(b);
  }
  string(text) {
    const b = Buffer.from(text, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(alignment) {
    const rest = this.length % alignment;
    if (rest) this.push(Buffer.alloc(alignment - rest));
  }
  toBuffer() {
    return Buffer.concat(this.parts);
  }
}

function writeValue(bytes, type, value) {
  switch (type) {
    case GGUF_TYPE.UINT32:
      return bytes.u32(value);
    case GGUF_TYPE.INT32:
      return bytes.i32(value);
    case GGUF_TYPE.FLOAT32:
      return bytes.f32(value);
    case GGUF_TYPE.BOOL:
      return bytes.push(Buffer.from([value ? 1 : 0]));
    case GGUF_TYPE.STRING:
      return bytes.string(value);
    default:
      throw new Error(`unsupported metadata type ${type}`);
  }
}

/** The vocabulary: 3 control tokens, then bytes 0x00–0xFF as SentencePiece byte tokens. */
function vocabulary() {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPE.BYTE);
  }
  return { tokens, types };
}

const EOS_TOKEN = 2;
const FIRST_BYTE_TOKEN = 3;

/** The bias a byte's token gets (shared with tiny-onnx.js): see the file comment. */
function byteBias(byte, closeBias = 2.2) {
  const char = String.fromCharCode(byte);
  if (char === '"' || char === '}' || char === ']') return closeBias;
  if (char === ' ' || /[a-z]/.test(char)) return 1.5;
  if (/[A-Z0-9.,]/.test(char)) return 0.8;
  if (byte >= 0x21 && byte < 0x7f) return 0; // other printable ASCII
  return -6; // control bytes, newlines inside strings, UTF-8 pieces
}

/** The bias (in the output's constant feature) a token gets. */
function tokenBias(token, endBias, closeBias) {
  if (token === EOS_TOKEN) return endBias;
  if (token < FIRST_BYTE_TOKEN) return -6;
  return byteBias(token - FIRST_BYTE_TOKEN, closeBias);
}

/**
 * Writes the model and returns its path. Options: seed (weights), chatTemplate (a Jinja template stored as
 * tokenizer.chat_template), contextLength (trained context, default 2048), embedding (64), layers (2), endBias
 * (how likely end-of-text is: default 1.6, about one token in fifty; -20 writes until stopped), closeBias (how
 * likely a closing quote or bracket is: default 2.2; -6 rambles inside a JSON string until a grammar forbids more).
 */
function writeTinyGguf(file, options = {}) {
  const gaussian = gaussianSampler(seededRandom(options.seed ?? 1234));
  const nEmbd = options.embedding ?? 64;
  const nLayers = options.layers ?? 2;
  const nHead = 4;
  const nFf = nEmbd * 2;
  const { tokens, types } = vocabulary();
  const nVocab = tokens.length;

  const metadata = [
    ['general.architecture', GGUF_TYPE.STRING, 'llama'],
    ['general.name', GGUF_TYPE.STRING, 'storyloom-tiny-test'],
    ['general.alignment', GGUF_TYPE.UINT32, ALIGNMENT],
    ['llama.context_length', GGUF_TYPE.UINT32, options.contextLength ?? 2048],
    ['llama.embedding_length', GGUF_TYPE.UINT32, nEmbd],
    ['llama.block_count', GGUF_TYPE.UINT32, nLayers],
    ['llama.feed_forward_length', GGUF_TYPE.UINT32, nFf],
    ['llama.attention.head_count', GGUF_TYPE.UINT32, nHead],
    ['llama.attention.head_count_kv', GGUF_TYPE.UINT32, nHead],
    ['llama.attention.layer_norm_rms_epsilon', GGUF_TYPE.FLOAT32, 1e-5],
    ['llama.rope.dimension_count', GGUF_TYPE.UINT32, nEmbd / nHead],
    ['llama.vocab_size', GGUF_TYPE.UINT32, nVocab],
    ['tokenizer.ggml.model', GGUF_TYPE.STRING, 'llama'],
    ['tokenizer.ggml.bos_token_id', GGUF_TYPE.UINT32, 1],
    ['tokenizer.ggml.eos_token_id', GGUF_TYPE.UINT32, EOS_TOKEN],
    ['tokenizer.ggml.unknown_token_id', GGUF_TYPE.UINT32, 0],
    ['tokenizer.ggml.add_bos_token', GGUF_TYPE.BOOL, true],
    ['tokenizer.ggml.add_space_prefix', GGUF_TYPE.BOOL, false],
  ];
  if (options.chatTemplate) metadata.push(['tokenizer.chat_template', GGUF_TYPE.STRING, options.chatTemplate]);

  // Tensors: [name, dims (ggml order: fastest first), values].
  const matrix = (cols, rows, scale) => Float32Array.from({ length: cols * rows }, () => gaussian(scale));
  const ones = (n) => new Float32Array(n).fill(1);
  const tensors = [];
  const embeddings = matrix(nEmbd, nVocab, 0.05);
  for (let t = 0; t < nVocab; t++) embeddings[t * nEmbd] = 4; // the constant feature (see above)
  tensors.push(['token_embd.weight', [nEmbd, nVocab], embeddings]);
  for (let layer = 0; layer < nLayers; layer++) {
    const p = `blk.${layer}.`;
    tensors.push([`${p}attn_norm.weight`, [nEmbd], ones(nEmbd)]);
    tensors.push([`${p}attn_q.weight`, [nEmbd, nEmbd], matrix(nEmbd, nEmbd, 0.08)]);
    tensors.push([`${p}attn_k.weight`, [nEmbd, nEmbd], matrix(nEmbd, nEmbd, 0.08)]);
    tensors.push([`${p}attn_v.weight`, [nEmbd, nEmbd], matrix(nEmbd, nEmbd, 0.08)]);
    tensors.push([`${p}attn_output.weight`, [nEmbd, nEmbd], matrix(nEmbd, nEmbd, 0.02)]);
    tensors.push([`${p}ffn_norm.weight`, [nEmbd], ones(nEmbd)]);
    tensors.push([`${p}ffn_gate.weight`, [nEmbd, nFf], matrix(nEmbd, nFf, 0.08)]);
    tensors.push([`${p}ffn_up.weight`, [nEmbd, nFf], matrix(nEmbd, nFf, 0.08)]);
    tensors.push([`${p}ffn_down.weight`, [nFf, nEmbd], matrix(nFf, nEmbd, 0.02)]);
  }
  tensors.push(['output_norm.weight', [nEmbd], ones(nEmbd)]);
  const output = matrix(nEmbd, nVocab, 0.35);
  for (let t = 0; t < nVocab; t++) output[t * nEmbd] = tokenBias(t, options.endBias ?? 1.6, options.closeBias) / Math.sqrt(nEmbd);
  tensors.push(['output.weight', [nEmbd, nVocab], output]);

  const header = new Bytes();
  header.push(Buffer.from('GGUF', 'latin1'));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(metadata.length + 3);
  for (const [key, type, value] of metadata) {
    header.string(key);
    header.u32(type);
    writeValue(header, type, value);
  }
  const arrays = [
    ['tokenizer.ggml.tokens', GGUF_TYPE.STRING, tokens],
    ['tokenizer.ggml.scores', GGUF_TYPE.FLOAT32, tokens.map(() => 0)],
    ['tokenizer.ggml.token_type', GGUF_TYPE.INT32, types],
  ];
  for (const [key, type, values] of arrays) {
    header.string(key);
    header.u32(GGUF_TYPE.ARRAY);
    header.u32(type);
    header.u64(values.length);
    for (const value of values) writeValue(header, type, value);
  }
  let offset = 0;
  const data = new Bytes();
  for (const [name, dims, values] of tensors) {
    header.string(name);
    header.u32(dims.length);
    for (const dim of dims) header.u64(dim);
    header.u32(0); // F32
    header.u64(offset);
    data.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    data.pad(ALIGNMENT);
    offset = data.length;
  }
  header.pad(ALIGNMENT);
  fs.writeFileSync(file, Buffer.concat([header.toBuffer(), data.toBuffer()]));
  return file;
}

/** A ChatML template, as many instruction-tuned GGUFs carry, for testing the chat-template path. */
const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

module.exports = { writeTinyGguf, CHATML_TEMPLATE, gaussianSampler, byteBias };
