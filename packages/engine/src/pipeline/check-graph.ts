// Graph checks: node ids, edges, cycles.
import { problem } from './codes';
import type { Checked } from './check-context';
import { cyclicComponents, findCycleIn, formatCycle, subgraph } from './graph';
import { didYouMean } from './suggest';

export function checkNodeIds({ pipeline, indexOf, problems }: Checked): void {
  pipeline.nodes.forEach((node, index) => {
    const first = indexOf.get(node.id)!;
    if (first !== index) {
      problems.push(problem(`/nodes/${index}/id`, 'duplicate_node_id', `node id '${node.id}' is used by node ${first} and node ${index}; node ids must be unique`));
    }
  });
}

export function checkEdges({ pipeline, nodeIds, problems }: Checked): void {
  const seen = new Map<string, number>();
  pipeline.edges.forEach((edge, index) => {
    const label = `edge ${index} (${edge.source} → ${edge.target})`;
    let known = true;
    for (const end of ['source', 'target'] as const) {
      if (nodeIds.has(edge[end])) continue;
      known = false;
      problems.push(problem(`/edges/${index}/${end}`, 'unknown_node', `${label}: ${end} '${edge[end]}' is not a node${didYouMean(edge[end], nodeIds)}`));
    }
    if (edge.source === edge.target) {
      problems.push(problem(`/edges/${index}`, 'self_loop', `${label} connects node '${edge.source}' to itself`));
      return;
    }
    const key = `${edge.source}\u0000${edge.target}`;
    const earlier = seen.get(key);
    if (earlier !== undefined && known) {
      problems.push(problem(`/edges/${index}`, 'duplicate_edge', `${label} repeats edge ${earlier}`));
    } else if (earlier === undefined) {
      seen.set(key, index);
    }
  });
}

/** One cycle per tangle (strongly connected component), at the edge that closes it: disjoint cycles all show. */
export function checkCycles({ pipeline, graph, problems }: Checked): void {
  for (const component of cyclicComponents(graph)) {
    const cycle = findCycleIn(subgraph(graph, component))!;
    const [from, to] = cycle.slice(-2);
    const edgeIndex = pipeline.edges.findIndex((edge) => edge.source === from && edge.target === to);
    problems.push(problem(`/edges/${edgeIndex}`, 'cycle', formatCycle(cycle)));
  }
}
