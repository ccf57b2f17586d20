import { isStoryloomError } from '../../src/errors';
import { ancestorsOf, childrenOf, descendantsOf, findCycle, parentsOf, topologicalOrder } from '../../src/pipeline/graph';
import { descendantPairs, graphOf, isCycleAlong, randomDag, seededRandom } from './support/random-graph';

// The example screenplay pipeline's shape: logline → cast → beats → lines → notes → script, with logline → beats and cast → lines.
const example = graphOf({
  nodes: ['logline', 'cast', 'beats', 'lines', 'notes', 'script'],
  edges: [
    ['logline', 'cast'],
    ['logline', 'beats'],
    ['cast', 'beats'],
    ['beats', 'lines'],
    ['cast', 'lines'],
    ['lines', 'notes'],
    ['notes', 'script'],
  ],
});

describe('parents and children', () => {
  it('follows edges in file order, ignoring edges to unknown nodes and repeats', () => {
    expect(parentsOf(example, 'lines')).toEqual(['beats', 'cast']);
    expect(childrenOf(example, 'logline')).toEqual(['cast', 'beats']);
    expect(parentsOf(example, 'logline')).toEqual([]);
    const messy = { nodes: example.nodes, edges: [...example.edges, { source: 'ghost', target: 'lines' }, { source: 'beats', target: 'lines' }] };
    expect(parentsOf(messy, 'lines')).toEqual(['beats', 'cast']);
    expect(parentsOf(example, 'nope')).toEqual([]);
  });
});

describe('ancestors and descendants', () => {
  it('are the transitive closures, without the node itself', () => {
    expect([...ancestorsOf(example, 'lines')].sort()).toEqual(['beats', 'cast', 'logline']);
    expect([...ancestorsOf(example, 'logline')]).toEqual([]);
    expect([...descendantsOf(example, ['cast'])].sort()).toEqual(['beats', 'lines', 'notes', 'script']);
    expect([...descendantsOf(example, ['lines', 'notes'])].sort()).toEqual(['script']);
  });

  it('never include the start node even on a cycle', () => {
    const cyclic = graphOf({ nodes: ['a', 'b'], edges: [['a', 'b'], ['b', 'a']] });
    expect([...ancestorsOf(cyclic, 'a')]).toEqual(['b']);
    expect([...descendantsOf(cyclic, ['a'])]).toEqual(['b']);
  });
});

describe('topological order', () => {
  it('puts every node after its parents and keeps file order among ready nodes', () => {
    expect(topologicalOrder(example)).toEqual(['logline', 'cast', 'beats', 'lines', 'notes', 'script']);
    // Three independent roots: file order decides, not id order.
    const roots = graphOf({ nodes: ['c', 'a', 'b', 'd'], edges: [['b', 'd']] });
    expect(topologicalOrder(roots)).toEqual(['c', 'a', 'b', 'd']);
    // A node that becomes ready later still takes its file position among the ready ones.
    const late = graphOf({ nodes: ['x', 'y', 'z'], edges: [['z', 'x']] });
    expect(topologicalOrder(late)).toEqual(['y', 'z', 'x']);
  });

  it('throws an invalid_pipeline error naming the cycle', () => {
    const cyclic = graphOf({ nodes: ['logline', 'beats', 'lines'], edges: [['logline', 'beats'], ['beats', 'lines'], ['lines', 'beats']] });
    expect(() => topologicalOrder(cyclic)).toThrow('cycle: beats → lines → beats');
    try {
      topologicalOrder(cyclic);
    } catch (error) {
      expect(isStoryloomError(error, 'invalid_pipeline')).toBe(true);
    }
  });

  it('respects every edge of random DAGs up to 60 nodes', () => {
    const random = seededRandom(20261129);
    for (let round = 0; round < 40; round++) {
      const size = 1 + Math.floor(random() * 60);
      const dag = randomDag(size, random() * 0.3, random);
      const order = topologicalOrder(graphOf(dag));
      expect([...order].sort()).toEqual([...dag.nodes].sort());
      const position = new Map(order.map((id, i) => [id, i]));
      for (const [source, target] of dag.edges) expect(position.get(source)!).toBeLessThan(position.get(target)!);
    }
  });
});

describe('findCycle', () => {
  it('is undefined for a DAG and names the path of a cycle', () => {
    expect(findCycle(example)).toBeUndefined();
    const back = { ...example, edges: [...example.edges, { source: 'lines', target: 'beats' }] };
    expect(findCycle(back)).toEqual(['beats', 'lines', 'beats']);
  });

  it('finds a real cycle in random DAGs given one back edge, and none without it', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 40; round++) {
      const dag = randomDag(2 + Math.floor(random() * 59), 0.05 + random() * 0.2, random);
      expect(findCycle(graphOf(dag))).toBeUndefined();
      const pairs = descendantPairs(dag);
      if (pairs.length === 0) continue;
      const [ancestor, descendant] = pairs[Math.floor(random() * pairs.length)];
      const withBack = graphOf({ nodes: dag.nodes, edges: [...dag.edges, [descendant, ancestor]] });
      const cycle = findCycle(withBack)!;
      expect(cycle).toBeDefined();
      expect(isCycleAlong(cycle, withBack.edges)).toBe(true);
    }
  });
});
