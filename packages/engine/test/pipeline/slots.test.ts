import { slotWrittenBy, visibleSlots } from '../../src/pipeline/slots';
import { examplePipeline, exampleWith } from './support/example';

describe('slotWrittenBy', () => {
  it("is the node's writes, else its type's slot, else undefined", () => {
    expect(slotWrittenBy({ type: 'characters' })).toBe('characters');
    expect(slotWrittenBy({ type: 'characters', writes: 'extras' })).toBe('extras');
    expect(slotWrittenBy({ type: 'prompt' })).toBeUndefined();
    expect(slotWrittenBy({ type: 'nope' })).toBeUndefined();
  });
});

describe('visibleSlots', () => {
  it('holds what the ancestors wrote, by writer', () => {
    const pipeline = examplePipeline();
    expect(Object.fromEntries(visibleSlots(pipeline, 'lines'))).toEqual({ logline: 'logline', characters: 'cast', outline: 'beats' });
    expect(visibleSlots(pipeline, 'logline').size).toBe(0);
  });

  it('lets the nearest writer on a chain win, and hides parallel branches from each other', () => {
    const pipeline = exampleWith((p) => {
      p.nodes.push(
        { id: 'recast', type: 'prompt', writes: 'characters', config: { template: 'Sharpen {{characters}}' } },
        { id: 'world', type: 'setting' },
      );
      p.edges = p.edges.filter((edge) => !(edge.source === 'cast' && edge.target === 'lines'));
      p.edges.push({ source: 'cast', target: 'recast' }, { source: 'recast', target: 'beats' }, { source: 'logline', target: 'world' });
    });
    expect(visibleSlots(pipeline, 'lines').get('characters')).toBe('recast');
    expect(visibleSlots(pipeline, 'recast').get('characters')).toBe('cast');
    // 'world' is a sibling branch of 'cast': neither sees the other.
    expect(visibleSlots(pipeline, 'cast').has('setting')).toBe(false);
    expect(visibleSlots(pipeline, 'world').has('characters')).toBe(false);
  });

  it('sees edits made in place to the same pipeline object', () => {
    const pipeline = examplePipeline();
    expect(visibleSlots(pipeline, 'lines').get('characters')).toBe('cast');
    pipeline.nodes[1].writes = 'cast_notes';
    expect(visibleSlots(pipeline, 'lines').has('characters')).toBe(false);
    pipeline.edges = pipeline.edges.filter((edge) => edge.source !== 'cast');
    expect(visibleSlots(pipeline, 'lines').has('cast_notes')).toBe(false);
  });
});
