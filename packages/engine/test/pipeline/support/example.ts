// The example screenplay pipeline (test/fixtures/example-screenplay.json), the base every validation test breaks in one way.
import type { Pipeline, PipelineNode } from '../../../src/pipeline/schema';
import { exampleScreenplay } from '../../../../../test/support/example-screenplay';

export function examplePipeline(): Pipeline {
  return exampleScreenplay();
}

/** The example with changes applied to a fresh copy. */
export function exampleWith(change: (pipeline: Pipeline) => void): Pipeline {
  const pipeline = examplePipeline();
  change(pipeline);
  return pipeline;
}

export function nodeIn(pipeline: Pipeline, id: string): PipelineNode {
  const node = pipeline.nodes.find((candidate) => candidate.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}
