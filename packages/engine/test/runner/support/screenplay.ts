// The screenplay pipeline of SPEC §2 (with an approval on the cast), used where a test needs real story
// node types; shipped pipelines are covered separately.
import type { Pipeline } from '../../../src/pipeline/schema';

export function screenplayPipeline(options: { approval?: boolean; scenes?: number } = {}): Pipeline {
  return {
    format: 'storyloom/pipeline@1',
    id: 'short-screenplay',
    name: 'Short screenplay',
    inputs: {
      premise: { type: 'string', required: true },
      scenes: { type: 'number', default: options.scenes ?? 3 },
    },
    model: { provider: 'offline' },
    nodes: [
      { id: 'logline', type: 'logline' },
      { id: 'cast', type: 'characters', config: { count: 3 }, ...(options.approval ? { approval: true } : {}) },
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

export const PREMISE = 'A retired safecracker is hired to open the vault that ruined her career.';
