// Seeded random DAGs for property tests: the same seed gives the same graph on every machine.
import type { Pipeline, PipelineEdge, PipelineNode } from '../../../src/pipeline/schema';

export { seededRandom } from '../../../src/story/random';

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export interface RandomDag {
  /** Node ids in a hidden order every edge respects; the file lists them shuffled. */
  rank: Map<string, number>;
  nodes: string[];
  edges: Array<[string, string]>;
}

/** `size` nodes; each possible forward edge exists with probability `density`. */
export function randomDag(size: number, density: number, random: () => number): RandomDag {
  const ordered = Array.from({ length: size }, (_, i) => `n${i}`);
  const rank = new Map(ordered.map((id, i) => [id, i]));
  const edges: Array<[string, string]> = [];
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) if (random() < density) edges.push([ordered[i], ordered[j]]);
  return { rank, nodes: shuffle(ordered, random), edges: shuffle(edges, random) };
}

/** Nodes as bare graph entries (for the graph utilities, which need no node types). */
export function graphOf(dag: Pick<RandomDag, 'nodes' | 'edges'>): { nodes: PipelineNode[]; edges: PipelineEdge[] } {
  return {
    nodes: dag.nodes.map((id) => ({ id, type: 'prompt' })),
    edges: dag.edges.map(([source, target]) => ({ source, target })),
  };
}

/** A valid pipeline: each node is a prompt node writing its own slot and quoting its parents' slots. */
export function promptPipelineOf(dag: Pick<RandomDag, 'nodes' | 'edges'>): Pipeline {
  const parents = new Map(dag.nodes.map((id) => [id, [] as string[]]));
  for (const [source, target] of dag.edges) parents.get(target)!.push(source);
  return {
    format: 'storyloom/pipeline@1',
    id: 'random-dag',
    name: 'Random DAG',
    inputs: { premise: { type: 'text', required: true } },
    nodes: dag.nodes.map((id) => ({
      id,
      type: 'prompt',
      writes: `slot_${id}`,
      config: { template: [`Premise: {{inputs.premise}}`, ...parents.get(id)!.map((parent) => `From ${parent}: {{slot_${parent}}}`)].join('\n') },
    })),
    edges: dag.edges.map(([source, target]) => ({ source, target })),
  };
}

/** Every descendant pair (u, v), u ≠ v, along the edges: adding v → u to any of them makes a cycle. */
export function descendantPairs(dag: Pick<RandomDag, 'nodes' | 'edges'>): Array<[string, string]> {
  const children = new Map(dag.nodes.map((id) => [id, [] as string[]]));
  for (const [source, target] of dag.edges) children.get(source)!.push(target);
  const pairs: Array<[string, string]> = [];
  for (const start of dag.nodes) {
    const seen = new Set<string>();
    const stack = [...children.get(start)!];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      pairs.push([start, id]);
      stack.push(...children.get(id)!);
    }
  }
  return pairs;
}

/** True when `cycle` is a closed walk along `edges`: first = last, and each step is an edge. */
export function isCycleAlong(cycle: readonly string[], edges: ReadonlyArray<{ source: string; target: string }>): boolean {
  if (cycle.length < 3 || cycle[0] !== cycle[cycle.length - 1]) return false;
  const keys = new Set(edges.map((edge) => `${edge.source}>${edge.target}`));
  return cycle.slice(1).every((id, i) => keys.has(`${cycle[i]}>${id}`));
}

/** The screenplay spine of real node types, with the slot each writes. */
const SPINE: Array<{ id: string; type: string; slot: string; config?: Record<string, unknown> }> = [
  { id: 'logline', type: 'logline', slot: 'logline' },
  { id: 'cast', type: 'characters', slot: 'characters' },
  { id: 'world', type: 'setting', slot: 'setting' },
  { id: 'beats', type: 'outline', slot: 'outline', config: { scenes: '{{inputs.scenes}}' } },
  { id: 'scene-list', type: 'scenes', slot: 'scenes' },
  { id: 'lines', type: 'dialogue', slot: 'dialogue' },
  { id: 'notes', type: 'review', slot: 'review', config: { target: 'lines' } },
  { id: 'script', type: 'export', slot: 'script', config: { format: 'fountain' } },
];
const SPINE_EDGES: Array<[string, string]> = [
  ['logline', 'cast'],
  ['logline', 'world'],
  ['cast', 'beats'],
  ['world', 'beats'],
  ['beats', 'scene-list'],
  ['scene-list', 'lines'],
  ['lines', 'notes'],
  ['notes', 'script'],
];

/**
 * A valid pipeline mixing the real screenplay spine with a random DAG of prompt nodes hanging off it: each prompt
 * node has random spine parents besides its DAG parents and quotes every parent's slot.
 */
export function storyPipelineOf(dag: RandomDag, random: () => number): { pipeline: Pipeline; edges: Array<[string, string]>; nodes: string[] } {
  const slotOf = new Map<string, string>([...SPINE.map((node) => [node.id, node.slot] as [string, string]), ...dag.nodes.map((id) => [id, `slot_${id}`] as [string, string])]);
  const edges: Array<[string, string]> = [...SPINE_EDGES, ...dag.edges];
  for (const id of dag.nodes) for (const spine of SPINE) if (random() < 0.15) edges.push([spine.id, id]);
  const parents = new Map<string, string[]>();
  for (const [source, target] of edges) parents.set(target, [...(parents.get(target) ?? []), source]);
  const shuffled = shuffle(edges, random);
  const pipeline: Pipeline = {
    format: 'storyloom/pipeline@1',
    id: 'random-story',
    name: 'Random story graph',
    inputs: { premise: { type: 'text', required: true }, scenes: { type: 'number' } },
    nodes: [
      ...SPINE.map(({ id, type, config }) => ({ id, type, ...(config ? { config } : {}) })),
      ...dag.nodes.map((id) => ({
        id,
        type: 'prompt',
        writes: slotOf.get(id)!,
        config: { template: ['{{inputs.premise}}', ...(parents.get(id) ?? []).map((parent) => `{{${slotOf.get(parent)}}}`)].join('\n') },
      })),
    ],
    edges: shuffled.map(([source, target]) => ({ source, target })),
  };
  return { pipeline, edges: shuffled, nodes: pipeline.nodes.map((node) => node.id) };
}
