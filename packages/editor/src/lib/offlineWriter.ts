// Whether a run's text came from the offline placeholder writer: a node's model resolves the way the engine's
// does (the run's model, else the node's, else the pipeline's, else the server's default), and the offline
// provider writes deterministic placeholder text, not a language model's.
import type { ModelSpec } from '@storyloom/engine';
import type { ModelInfo, NodeTypeInfo } from '../api/client';
import type { StoryFlowNode } from '../graph/convert';

function providerOf(spec: ModelSpec | undefined): string | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === 'string' ? spec.split(':')[0] : spec.provider;
}

export interface OfflineCheck {
  runModel?: ModelSpec;
  pipelineModel?: ModelSpec;
  nodes: StoryFlowNode[];
  catalogue: NodeTypeInfo[];
  models: ModelInfo[];
}

/** Ids of the nodes whose writing came (or would come) from the offline writer. */
export function offlineWriterNodes({ runModel, pipelineModel, nodes, catalogue, models }: OfflineCheck): string[] {
  const serverDefault = models.find((model) => model.default)?.provider ?? 'offline';
  return nodes
    .filter((node) => catalogue.find((type) => type.type === node.data.type)?.usesModel !== false)
    .filter((node) => (providerOf(runModel) ?? providerOf(node.data.model as ModelSpec | undefined) ?? providerOf(pipelineModel) ?? serverDefault) === 'offline')
    .map((node) => node.id);
}
