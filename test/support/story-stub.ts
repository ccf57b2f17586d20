// Typed entry to the scripted story answers for the OpenAI-compatible stub (implementation: ./story-stub.js, plain
// CommonJS so benchmarks can use it too).
/* eslint-disable @typescript-eslint/no-require-imports */
import type { StubReply, StubRequest } from './openai-stub';

const implementation = require('./story-stub.js') as {
  sceneOf(request: StubRequest): number | undefined;
  continuityOf(request: StubRequest): number | undefined;
  continuityReply(request: StubRequest): string;
  isJudge(request: StubRequest): boolean;
  isPolicyJudge(request: StubRequest): boolean;
  isSceneCards(request: StubRequest): boolean;
  sceneReply(request: StubRequest): string;
  sceneCardsReply(request: StubRequest, count: number): string;
  judgeReply(verdict?: Record<string, unknown>): string;
  storyResponder(count: number): (request: StubRequest) => StubReply;
};

export const { sceneOf, continuityOf, continuityReply, isJudge, isPolicyJudge, isSceneCards, sceneReply, sceneCardsReply, judgeReply, storyResponder } = implementation;
