// Pipeline document ⇄ React Flow nodes and edges. The flow arrays keep the document's order, so a
// validation problem's path (`/nodes/3/…`, `/edges/1`) points straight at the flow element.
import type { Edge, Node } from '@xyflow/react';
import type { Pipeline, PipelineNode } from '@storyloom/engine';

/** What a canvas node carries: the pipeline node minus its id and position (those live on the flow node). */
export type StoryNodeData = Omit<PipelineNode, 'id' | 'position'> & Record<string, unknown>;
export type StoryFlowNode = Node<StoryNodeData, 'story'>;
export type StoryFlowEdge = Edge<{ savedId?: string }>;

/** Everything of a pipeline except its graph. */
export type PipelineMeta = Omit<Pipeline, 'nodes' | 'edges'>;

export const edgeIdOf = (source: string, target: string) => `${source}->${target}`;

export function fromPipeline(pipeline: Pipeline): { meta: PipelineMeta; nodes: StoryFlowNode[]; edges: StoryFlowEdge[]; positioned: boolean } {
  const { nodes, edges, ...meta } = pipeline;
  const positioned = nodes.every((node) => node.position);
  return {
    meta,
    positioned,
    nodes: nodes.map(({ id, position, ...data }, index) => ({
      id,
      type: 'story',
      position: position ?? { x: index * 260, y: 0 },
      data: data as StoryNodeData,
    })),
    edges: edges.map((edge) => ({
      id: edge.id ?? edgeIdOf(edge.source, edge.target),
      source: edge.source,
      target: edge.target,
      data: edge.id ? { savedId: edge.id } : {},
    })),
  };
}

/** Drops keys whose value is undefined so saved files stay clean. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toPipeline(meta: PipelineMeta, nodes: StoryFlowNode[], edges: StoryFlowEdge[]): Pipeline {
  return compact({
    ...meta,
    nodes: nodes.map((node) =>
      compact({
        id: node.id,
        ...(node.data as Omit<PipelineNode, 'id' | 'position'>),
        position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
      }) as PipelineNode,
    ),
    edges: edges.map((edge) => compact({ id: edge.data?.savedId, source: edge.source, target: edge.target })),
  }) as Pipeline;
}

/** A fresh node id for a type: `cast`, then `cast-2`, `cast-3` … */
export function uniqueNodeId(base: string, taken: Set<string>): string {
  const stem = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 56) || 'node';
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}-${n}`)) return `${stem}-${n}`;
}

export function ancestorIds(nodeId: string, edges: Array<{ source: string; target: string }>): Set<string> {
  const parents = new Map<string, string[]>();
  for (const edge of edges) parents.set(edge.target, [...(parents.get(edge.target) ?? []), edge.source]);
  const seen = new Set<string>();
  const stack = [...(parents.get(nodeId) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(parents.get(id) ?? []));
  }
  seen.delete(nodeId);
  return seen;
}
