import { coerceInput, resolveRunInputs } from '../../src/pipeline/inputs';
import type { Pipeline } from '../../src/pipeline/schema';

const pipeline: Pick<Pipeline, 'id' | 'inputs'> = {
  id: 'short-screenplay',
  inputs: {
    premise: { type: 'text', required: true, description: 'One or two sentences.' },
    scenes: { type: 'number', default: 6 },
    dark: { type: 'boolean', default: false },
    tone: { type: 'string' },
  },
};

describe('resolveRunInputs', () => {
  it('applies defaults and coerces CLI strings', () => {
    const { inputs, problems } = resolveRunInputs(pipeline, { premise: 'A lighthouse keeper.', scenes: '4', dark: 'yes' });
    expect(problems).toEqual([]);
    expect(inputs).toEqual({ premise: 'A lighthouse keeper.', scenes: 4, dark: true });
  });

  it('keeps defaults when values are absent and leaves optional inputs without default out', () => {
    expect(resolveRunInputs(pipeline, { premise: 'x' }).inputs).toEqual({ premise: 'x', scenes: 6, dark: false });
  });

  it('reports a missing required input, naming it and its description', () => {
    const { problems } = resolveRunInputs(pipeline, {});
    expect(problems).toEqual([
      { path: '/inputs/premise', code: 'missing_input', message: expect.stringContaining("needs input 'premise' (One or two sentences.)") },
    ]);
    // A blank required text is as good as missing.
    expect(resolveRunInputs(pipeline, { premise: '   ' }).problems.map((p) => p.path)).toEqual(['/inputs/premise']);
  });

  it('reports mistyped and unknown inputs, all at once', () => {
    const { problems, inputs } = resolveRunInputs(pipeline, { premise: 'x', scenes: 'six', dark: 'maybe', sceens: 4 });
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['/inputs/scenes', 'invalid_input'],
      ['/inputs/dark', 'invalid_input'],
      ['/inputs/sceens', 'unknown_input'],
    ]);
    expect(problems[0].message).toBe('input \'scenes\' must be a number, got "six"');
    expect(problems[2].message).toContain("has no input 'sceens' (declared inputs: premise, scenes, dark, tone)");
    expect(inputs).toEqual({ premise: 'x' });
  });
});

describe('coerceInput', () => {
  it.each([
    ['number', '6', 6],
    ['number', ' 2.5 ', 2.5],
    ['number', 7, 7],
    ['number', '', undefined],
    ['number', 'Infinity', undefined],
    ['number', Number.NaN, undefined],
    ['boolean', 'off', false],
    ['boolean', 'TRUE', true],
    ['boolean', 1, undefined],
    ['string', 42, '42'],
    ['text', { a: 1 }, undefined],
  ] as const)('%s from %p is %p', (type, value, expected) => {
    expect(coerceInput(type, value)).toBe(expected);
  });
});
