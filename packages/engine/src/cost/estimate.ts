// What a node is expected to spend before it runs, for budget checks: a prompt the size of what it reads (run
// inputs, the slots its ancestors wrote, feedback) plus its instructions, and an answer of up to `maxTokens`, once
// per call it plans (a call per scene for the scene writers) and per candidate, at its model's price.
import { estimateTokens } from '../models/offline-chat-model';
import { shorthandOf } from '../models/spec';
import type { NodeType, StoryMemory } from '../nodes/types';
import type { ModelSpecObject, RunInputs } from '../pipeline/schema';
import type { TokenUsage } from '../runner/types';
import { costUsd, priceOf, type PriceTable } from './prices';

/** A node's own instructions, around what it reads (the longest shipped prompt's fixed text is about this). */
export const INSTRUCTION_TOKENS = 500;
/** An answer's length when no `maxTokens` bounds it. */
export const DEFAULT_ANSWER_TOKENS = 1_000;

export interface EstimateRequest {
  type: NodeType;
  config: unknown;
  memory: StoryMemory;
  inputs: RunInputs;
  feedback: readonly string[];
  spec: ModelSpecObject;
  candidates: number;
  prices: PriceTable;
  /** What the node's last execution spent, when it ran before (a redraft costs about what the draft did). */
  previous?: TokenUsage;
}

export interface SpendEstimate extends TokenUsage {
  model: string;
}

export function estimateSpend(request: EstimateRequest): SpendEstimate {
  const { type, config, memory, spec } = request;
  const calls = Math.max(1, type.plannedCalls?.(config, memory) ?? 1) * Math.max(1, request.candidates);
  const read = estimateTokens(JSON.stringify({ inputs: request.inputs, memory, feedback: request.feedback }));
  let inputTokens = calls * (read + INSTRUCTION_TOKENS);
  let outputTokens = calls * (spec.maxTokens ?? DEFAULT_ANSWER_TOKENS);
  if (request.previous && request.previous.totalTokens > inputTokens + outputTokens) {
    ({ inputTokens, outputTokens } = request.previous);
  }
  const model = shorthandOf(spec);
  const price = priceOf(request.prices, model);
  return {
    model,
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    calls,
    ...(price ? { costUsd: costUsd(price, inputTokens, outputTokens) } : { unpriced: true }),
  };
}
