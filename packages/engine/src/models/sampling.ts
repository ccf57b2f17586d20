// A node's `sampling` over whichever model spec resolves for it: shipped pipelines can run the judge cold and the
// dialogue warm without naming a model. A run that sets sampling on its own model keeps its values.
import type { ModelSpec, ModelSpecObject, PipelineNode } from '../pipeline/schema';

const SAMPLING_KEYS = ['temperature', 'maxTokens'] as const;

export function withNodeSampling(spec: ModelSpecObject, node: PipelineNode, runModel: ModelSpec | undefined): ModelSpecObject {
  if (!node.sampling) return spec;
  const merged: ModelSpecObject = { ...spec };
  for (const key of SAMPLING_KEYS) {
    const runValue = typeof runModel === 'object' && runModel !== null ? runModel[key] : undefined;
    const nodeValue = node.sampling[key];
    if (runValue === undefined && nodeValue !== undefined) merged[key] = nodeValue;
  }
  return merged;
}
