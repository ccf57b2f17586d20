// `transformers:<folder>`: a LangChain chat model over a Transformers ONNX export (GPT-2 and other causal LMs)
// run by transformers.js in this process. n samples are one batch of the same prompt (transformers.js ignores
// num_return_sequences). transformers.js runs the model and keeps its cache; Storyloom picks each token itself
// (a logits processor that leaves only its choice for greedy decoding), so temperature, top-k, top-p, repeat
// penalty and seed behave as for local GGUF models, cancelling stops at the next token, and JSON answers are
// held to the same grammar as llama.cpp's: only tokens the grammar matcher allows are ever picked.
import { completionPrompt, type ConversationTurn, InProcessChatModel, type InProcessChatModelFields, type SampleRequest, type Samples } from './in-process-chat-model';
import type { LlamaRuntimeEnv } from './llama-runtime';
import { type Sampling, answerBudget, sampleSeed } from './in-process-sampling';
import { GrammarMatcher } from './grammar-matcher';
import { answerGrammar } from './json-grammar';
import { seededRandom } from '../story/random';
import { sampleToken } from './token-sampler';
import { type LoadedTransformersModel, type TensorLike, loadTransformersModel } from './transformers-runtime';

export interface TransformersChatModelFields extends InProcessChatModelFields {
  /** Absolute path of the model folder. */
  modelDir: string;
  sampling: Sampling;
  env?: LlamaRuntimeEnv;
}

/** Answer length when the spec gives no maxTokens: GPT-2-sized models ramble, so the cap is modest. */
const DEFAULT_TRANSFORMERS_MAX_TOKENS = 256;

function toNumbers(values: ArrayLike<number | bigint>): number[] {
  return Array.from(values, (value) => Number(value));
}

/** Per row of the batch: the tokens written so far and whether it has ended. */
interface RowState {
  tokens: number[];
  ended: boolean;
  random: () => number;
  /** For JSON answers: where the row stands in the grammar. */
  matcher?: GrammarMatcher;
}

export class TransformersChatModel extends InProcessChatModel {
  readonly modelDir: string;
  readonly sampling: Sampling;
  private readonly env: LlamaRuntimeEnv;

  constructor(fields: TransformersChatModelFields) {
    super(fields);
    this.modelDir = fields.modelDir;
    this.sampling = fields.sampling;
    this.env = fields.env ?? {};
  }

  static override lc_name(): string {
    return 'TransformersChatModel';
  }

  override _llmType(): string {
    return 'storyloom-transformers';
  }

  private promptText(loaded: LoadedTransformersModel, conversation: ConversationTurn[]): string {
    if (loaded.tokenizer.chat_template) {
      const messages = conversation.map((turn) => ({ role: turn.role, content: turn.text }));
      return loaded.tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true });
    }
    return completionPrompt(conversation);
  }

  private answerBudget(loaded: LoadedTransformersModel, promptTokens: number): number {
    return answerBudget(
      loaded.contextSize,
      promptTokens,
      this.sampling.maxTokens ?? DEFAULT_TRANSFORMERS_MAX_TOKENS,
      (room) =>
        `transformers model ${this.modelDir} sees at most ${loaded.contextSize} positions (prompt and answer together), leaving ${room} ` +
        `for the answer: use a model with a longer context or shorten the pipeline's inputs`,
    );
  }

  protected async sample(request: SampleRequest): Promise<Samples> {
    const loaded = await loadTransformersModel(this.modelDir, this.env);
    const prompt = this.promptText(loaded, request.conversation);
    const promptIds = toNumbers(loaded.tokenizer(prompt).input_ids.data);
    const maxTokens = this.answerBudget(loaded, promptIds.length);
    const grammar = request.jsonSchema ? answerGrammar(request.jsonSchema, request.fitToBudget ? maxTokens : undefined, `transformers model ${this.modelDir}`) : undefined;
    const rows: RowState[] = Array.from({ length: request.n }, (_, index) => {
      const seed = sampleSeed(this.sampling, index);
      const matcher = grammar ? new GrammarMatcher(grammar) : undefined;
      return { tokens: [], ended: false, random: seed === undefined ? Math.random : seededRandom(seed), matcher };
    });
    const release = await loaded.slots.acquire(request.signal);
    try {
      await this.runBatch(loaded, prompt, rows, maxTokens, request);
    } finally {
      release();
    }
    if (request.signal?.aborted) throw request.signal.reason ?? new Error('aborted');
    const texts = rows.map((row) => loaded.tokenizer.decode(row.tokens, { skip_special_tokens: true }));
    return { texts, inputTokens: promptIds.length * request.n, outputTokens: rows.reduce((sum, row) => sum + row.tokens.length, 0) };
  }

  private async runBatch(loaded: LoadedTransformersModel, prompt: string, rows: RowState[], maxTokens: number, request: SampleRequest): Promise<void> {
    const { sampling } = this;
    const eos = loaded.eosTokenIds;
    const ended = (token: number) => eos.includes(token);
    /** The next token of a row: any, or under a grammar only one it allows (end-of-text once the JSON is whole). */
    const pick = (row: RowState, scores: Float32Array): number => {
      const { matcher } = row;
      if (!matcher) return sampleToken(scores, row.tokens, sampling, row.random);
      if (!matcher.open) return eos[0] ?? 0;
      const allowed = (token: number) => (ended(token) ? matcher.complete : !loaded.tokenText(token).includes('\uFFFD') && matcher.allows(loaded.tokenText(token)));
      const token = sampleToken(scores, row.tokens, sampling, row.random, allowed);
      if (token < 0) return eos[0] ?? 0; // the vocabulary cannot go on: the answer stays cut, and is judged as such
      if (!ended(token)) matcher.accept(loaded.tokenText(token));
      return token;
    };
    let streamed = '';
    const stream = () => {
      const text = loaded.tokenizer.decode(rows[0]!.tokens, { skip_special_tokens: true });
      // A multi-byte character split across tokens decodes to U+FFFD until its last byte arrives.
      if (text.length > streamed.length && text.startsWith(streamed) && !text.endsWith('\uFFFD')) {
        request.onText(text.slice(streamed.length));
        streamed = text;
      }
    };

    // transformers.js calls these objects as functions (its Callable base runs `_call`).
    class StoryloomSampler extends loaded.lib.LogitsProcessor {
      _call(_inputIds: bigint[][], logits: TensorLike & { data: Float32Array }): TensorLike {
        const vocab = logits.dims.at(-1)!;
        rows.forEach((row, index) => {
          const scores = logits.data.subarray(index * vocab, (index + 1) * vocab);
          const token = row.ended ? (eos[0] ?? 0) : pick(row, scores);
          if (!row.ended) {
            row.tokens.push(token);
            row.ended = ended(token) || (row.matcher !== undefined && !row.matcher.open);
          }
          scores.fill(-Infinity);
          scores[token] = 0;
        });
        stream();
        return logits;
      }
    }
    class StopWhenDone extends loaded.lib.StoppingCriteria {
      _call(inputIds: unknown[]): boolean[] {
        const stop = Boolean(request.signal?.aborted) || rows.every((row) => row.ended);
        return inputIds.map(() => stop);
      }
    }

    const batch = loaded.tokenizer(
      rows.map(() => prompt),
      { padding: true },
    );
    await loaded.model.generate({
      ...batch,
      max_new_tokens: maxTokens,
      do_sample: false,
      logits_processor: [new StoryloomSampler()],
      stopping_criteria: [new StopWhenDone()],
    });
  }
}
