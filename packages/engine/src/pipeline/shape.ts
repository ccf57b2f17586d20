// The document's shape: zod issues as problems, and reading nodes and edges out of a document whose shape is
// wrong only in details, so graph problems can be reported in the same pass.
import type { ValidationCode } from './codes';
import { isRecord } from './json';
import { InputDefinitionSchema, PIPELINE_FORMAT, type Pipeline, type PipelineNode } from './schema';

/** `invalid_id` and `invalid_slot_name` for the id and slot patterns; `schema` for every other shape issue. */
export function shapeCode(issue: { code: string; path: readonly PropertyKey[] }): ValidationCode {
  if (issue.code !== 'invalid_format') return 'schema';
  const [first, , field] = issue.path;
  if (issue.path.length === 1 && first === 'id') return 'invalid_id';
  if (first === 'nodes' && issue.path.length === 3 && field === 'id') return 'invalid_id';
  if (first === 'nodes' && issue.path.length === 3 && field === 'writes') return 'invalid_slot_name';
  return 'schema';
}

/** Names the place of a shape problem for people: `node 'cast' position.x`, `edge 3 (cast → beats)`. */
export function placeIn(document: Record<string, unknown>): (path: readonly PropertyKey[]) => string {
  return (path) => {
    const [first, index, ...rest] = path;
    const tail = rest.length > 0 ? ` ${rest.join('.')}` : '';
    if (first === 'nodes' && typeof index === 'number') {
      const node = arrayItem(document.nodes, index);
      return `${typeof node?.id === 'string' ? `node '${node.id}'` : `node ${index}`}${tail}`;
    }
    if (first === 'edges' && typeof index === 'number') {
      const edge = arrayItem(document.edges, index);
      const ends = typeof edge?.source === 'string' && typeof edge.target === 'string' ? ` (${edge.source} → ${edge.target})` : '';
      return `edge ${index}${ends}${tail}`;
    }
    if (first === 'inputs' && index !== undefined) return `input '${String(index)}'${tail}`;
    return path.length === 0 ? 'pipeline' : `pipeline ${path.join('.')}`;
  };
}

function arrayItem(list: unknown, index: number): Record<string, unknown> | undefined {
  const item = Array.isArray(list) ? list[index] : undefined;
  return isRecord(item) ? item : undefined;
}

/**
 * When the shape is wrong only in details (an unknown key, a bad position), the nodes and edges can still be
 * read, so graph problems are reported in the same pass. Index positions are kept so paths stay right.
 */
export function salvage(document: Record<string, unknown>): { pipeline: Pipeline; unreadableConfig: Set<number> } | undefined {
  const { nodes, edges } = document;
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return undefined;
  if (!nodes.every((node) => isRecord(node) && typeof node.id === 'string' && typeof node.type === 'string')) return undefined;
  if (!edges.every((edge) => isRecord(edge) && typeof edge.source === 'string' && typeof edge.target === 'string')) return undefined;
  const unreadableConfig = new Set<number>();
  const inputs: NonNullable<Pipeline['inputs']> = {};
  if (isRecord(document.inputs)) {
    for (const [name, definition] of Object.entries(document.inputs)) {
      const parsed = InputDefinitionSchema.safeParse(definition);
      if (parsed.success) inputs[name] = parsed.data;
    }
  }
  const readNode = (node: Record<string, unknown>, index: number): PipelineNode => {
    if (node.config !== undefined && !isRecord(node.config)) unreadableConfig.add(index);
    return {
      id: node.id as string,
      type: node.type as string,
      config: isRecord(node.config) ? node.config : undefined,
      writes: typeof node.writes === 'string' ? node.writes : undefined,
    };
  };
  return {
    pipeline: {
      format: PIPELINE_FORMAT,
      id: typeof document.id === 'string' ? document.id : '',
      name: typeof document.name === 'string' ? document.name : '',
      inputs,
      nodes: (nodes as Record<string, unknown>[]).map(readNode),
      edges: (edges as Array<{ source: string; target: string }>).map(({ source, target }) => ({ source, target })),
    },
    unreadableConfig,
  };
}
