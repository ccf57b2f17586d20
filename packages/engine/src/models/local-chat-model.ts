// `local:<file.gguf>`: a LangChain chat model over node-llama-cpp, in this process. Uses the GGUF's chat template
// when it has one and plain completion when not; JSON answers are held to a grammar built from the schema, so
// even a small model writes parseable JSON; n samples run on separate context sequences of one shared model.
import type { LlamaContextSequence, LlamaGrammar, LLamaContextualRepeatPenalty } from 'node-llama-cpp';
import { type ConversationTurn, completionPrompt, InProcessChatModel, type InProcessChatModelFields, type SampleRequest, type Samples } from './in-process-chat-model';
import { type LlamaRuntimeEnv, type LoadedLlamaModel, loadLlamaModel } from './llama-runtime';
import { type Sampling, answerBudget, sampleSeed } from './in-process-sampling';
import { REPEAT_PENALTY_WINDOW } from './token-sampler';

export interface LocalChatModelFields extends InProcessChatModelFields {
  /** Absolute path of the GGUF file. */
  modelPath: string;
  sampling: Sampling;
  contextSize?: number;
  env: LlamaRuntimeEnv;
}

type ChatHistory = Parameters<NonNullable<LoadedLlamaModel['chatWrapper']>['generateContextState']>[0]['chatHistory'];

function chatHistoryOf(conversation: ConversationTurn[]): ChatHistory {
  const history = conversation.map((turn) =>
    turn.role === 'system'
      ? { type: 'system' as const, text: turn.text }
      : turn.role === 'user'
        ? { type: 'user' as const, text: turn.text }
        : { type: 'model' as const, response: [turn.text] },
  );
  // The answer is generated into an open model turn.
  return [...history, { type: 'model' as const, response: [] }];
}

function repeatPenaltyOf(sampling: Sampling): false | LLamaContextualRepeatPenalty {
  return sampling.repeatPenalty > 1 ? { penalty: sampling.repeatPenalty, lastTokens: REPEAT_PENALTY_WINDOW } : false;
}

export class LocalChatModel extends InProcessChatModel {
  readonly modelPath: string;
  readonly sampling: Sampling;
  readonly contextSize?: number;
  private readonly env: LlamaRuntimeEnv;

  constructor(fields: LocalChatModelFields) {
    super(fields);
    this.modelPath = fields.modelPath;
    this.sampling = fields.sampling;
    this.contextSize = fields.contextSize;
    this.env = fields.env;
  }

  static override lc_name(): string {
    return 'LocalChatModel';
  }

  override _llmType(): string {
    return 'storyloom-local-gguf';
  }

  /** Tokens of the prompt as the model will see it. */
  private promptTokens(loaded: LoadedLlamaModel, conversation: ConversationTurn[]): number {
    if (loaded.chatWrapper) {
      const { contextText } = loaded.chatWrapper.generateContextState({ chatHistory: chatHistoryOf(conversation) });
      return contextText.tokenize(loaded.model.tokenizer).length;
    }
    return loaded.model.tokenize(completionPrompt(conversation)).length;
  }

  /** How many tokens the answer may take; refuses (explaining the numbers) a prompt that leaves no room. */
  private answerBudget(loaded: LoadedLlamaModel, promptTokens: number): number {
    return answerBudget(
      loaded.contextSize,
      promptTokens,
      this.sampling.maxTokens,
      (room) =>
        `local model ${this.modelPath} has a context of ${loaded.contextSize} tokens (prompt and answer together), leaving ${room} ` +
        `for the answer: raise contextSize in the model spec (its trained size is ${loaded.model.trainContextSize}) or shorten the pipeline's inputs`,
    );
  }

  private async generateOne(
    loaded: LoadedLlamaModel,
    sequence: LlamaContextSequence,
    conversation: ConversationTurn[],
    options: { index: number; maxTokens: number; grammar?: LlamaGrammar; signal?: AbortSignal; onText?: (text: string) => void },
  ): Promise<{ text: string; tokens: number }> {
    const { sampling } = this;
    let tokens = 0;
    const common = {
      signal: options.signal,
      stopOnAbortSignal: false,
      maxTokens: options.maxTokens,
      temperature: sampling.temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      seed: sampleSeed(sampling, options.index),
      repeatPenalty: repeatPenaltyOf(sampling),
      grammar: options.grammar,
      onToken: (chunk: unknown[]) => {
        tokens += chunk.length;
      },
      onTextChunk: options.onText,
    };
    if (loaded.chatWrapper) {
      const chat = new loaded.lib.LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper, autoDisposeSequence: false });
      try {
        const history = chatHistoryOf(conversation).slice(0, -1);
        const { response } = await chat.generateResponse(history, common);
        return { text: response, tokens };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    }
    const completion = new loaded.lib.LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const text = await completion.generateCompletion(completionPrompt(conversation), { ...common, disableContextShift: true });
      return { text, tokens };
    } finally {
      completion.dispose({ disposeSequence: false });
    }
  }

  protected async sample(request: SampleRequest): Promise<Samples> {
    const loaded = await loadLlamaModel({ path: this.modelPath, contextSize: this.contextSize, env: this.env });
    const promptTokens = this.promptTokens(loaded, request.conversation);
    const maxTokens = this.answerBudget(loaded, promptTokens);
    const grammar = request.jsonSchema ? await loaded.grammarFor(request.jsonSchema, request.fitToBudget ? maxTokens : undefined) : undefined;
    const results = await Promise.all(
      Array.from({ length: request.n }, (_, index) =>
        loaded.withSequence(request.signal, (sequence) =>
          this.generateOne(loaded, sequence, request.conversation, {
            index,
            maxTokens,
            grammar,
            signal: request.signal,
            onText: index === 0 ? request.onText : undefined,
          }),
        ),
      ),
    );
    return {
      texts: results.map((result) => result.text),
      inputTokens: promptTokens * request.n,
      outputTokens: results.reduce((sum, result) => sum + result.tokens, 0),
    };
  }
}
