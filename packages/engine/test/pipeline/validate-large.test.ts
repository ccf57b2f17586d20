// Large and generated documents: validation must neither overflow the stack nor list a problem per pair.
import { MAX_LISTED_PROBLEMS, validatePipeline } from '../../src/pipeline/validate';

/** A pipeline of `count` unconnected nodes of one type (all write the same slot). */
function manyNodes(count: number, type: string, extra: Record<string, unknown> = {}) {
  return {
    format: 'storyloom/pipeline@1',
    id: 'big',
    name: 'Big',
    inputs: { premise: { type: 'string', required: true } },
    nodes: Array.from({ length: count }, (_, i) => ({ id: `n${i}`, type, ...extra })),
    edges: [] as Array<{ source: string; target: string }>,
  };
}

describe('validatePipeline on large documents', () => {
  it('3000 unrelated logline writers: one slot_conflict naming a few writers and counting the rest', () => {
    const { valid, errors } = validatePipeline(manyNodes(3000, 'logline'));
    expect(valid).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({
      path: '/nodes/1',
      code: 'slot_conflict',
      message: expect.stringContaining("3000 stages write the logline without coming one after another: Logline 'n0', Logline 'n1'"),
    });
    expect(errors[0].message).toContain('and 2995 more');
  });

  it('a chain of writers is fine; one writer off the chain conflicts with all of them, reported once', () => {
    const chain = manyNodes(4, 'logline');
    chain.edges = [
      { source: 'n0', target: 'n1' },
      { source: 'n1', target: 'n2' },
    ];
    const { errors } = validatePipeline(chain);
    expect(errors.map((error) => error.code)).toEqual(['slot_conflict']);
    expect(errors[0].message).toContain("4 stages write the logline without coming one after another: Logline 'n0', Logline 'n1', Logline 'n2' and Logline 'n3'");
    chain.edges.push({ source: 'n2', target: 'n3' });
    expect(validatePipeline(chain).errors).toEqual([]);
  });

  it('caps the list: the first problems, then one too_many_problems entry with the count', () => {
    const { errors } = validatePipeline(manyNodes(1200, 'loglin'));
    expect(errors).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(errors.slice(0, MAX_LISTED_PROBLEMS).every((error) => error.code === 'unknown_node_type')).toBe(true);
    expect(errors[MAX_LISTED_PROBLEMS]).toEqual({ path: '', code: 'too_many_problems', message: expect.stringMatching(/^700 more problems not listed \(1200 in all\)/) });
  });

  it('many unknown run inputs do not overflow the stack', () => {
    const inputs = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`x${i}`, 1]));
    const { errors } = validatePipeline(manyNodes(1, 'logline'), { inputs: { premise: 'p', ...inputs } });
    expect(errors[0].code).toBe('unknown_input');
    expect(errors.at(-1)!.code).toBe('too_many_problems');
  });
});
