// The SPEC §2 example pipeline (plus a setting node), the base every validation test breaks in one way.
import type { Pipeline, PipelineNode } from '../../../src/pipeline/schema';

export function examplePipeline(): Pipeline {
  return {
    format: 'storyloom/pipeline@1',
    id: 'short-screenplay',
    name: 'Short screenplay',
    description: 'Dramatron-style: logline, cast and beats, then dialogue per scene.',
    inputs: {
      premise: { type: 'string', required: true, description: 'One or two sentences.' },
      scenes: { type: 'number', default: 6 },
    },
    model: { provider: 'offline' },
    nodes: [
      { id: 'logline', type: 'logline', position: { x: 0, y: 0 } },
      { id: 'cast', type: 'characters', config: { count: 4 }, approval: true },
      { id: 'beats', type: 'outline', config: { scenes: '{{inputs.scenes}}' } },
      { id: 'lines', type: 'dialogue', config: { concurrency: 4 } },
      { id: 'notes', type: 'review', config: { target: 'lines', threshold: 7, maxRevisions: 1 } },
      { id: 'script', type: 'export', config: { format: 'fountain' } },
    ],
    edges: [
      { source: 'logline', target: 'cast' },
      { source: 'logline', target: 'beats' },
      { source: 'cast', target: 'beats' },
      { source: 'beats', target: 'lines' },
      { source: 'cast', target: 'lines' },
      { source: 'lines', target: 'notes' },
      { source: 'notes', target: 'script' },
    ],
  };
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
