import { readableText, renderTemplate, templateReferences, wholeInputReference } from '../../src/pipeline/templates';

describe('templateReferences', () => {
  it('lists slots and inputs once each, in order of first use, with spaces and field paths allowed', () => {
    const template = 'Logline: {{ logline }}\nTitle: {{logline.title}}\nPremise: {{inputs.premise}}\nCast: {{characters}} ({{ inputs.tone }}, {{inputs.premise}})';
    expect(templateReferences(template)).toEqual({ slots: ['logline', 'characters'], inputs: ['premise', 'tone'] });
  });

  it('finds nothing in plain text or single braces', () => {
    expect(templateReferences('no {refs} here, { {x} }')).toEqual({ slots: [], inputs: [] });
  });

  it('recognises a whole-string input reference only', () => {
    expect(wholeInputReference('{{inputs.scenes}}')).toBe('scenes');
    expect(wholeInputReference(' {{ inputs.scenes }} '.trim())).toBe('scenes');
    expect(wholeInputReference('{{inputs.scenes}} scenes')).toBeUndefined();
    expect(wholeInputReference('{{scenes}}')).toBeUndefined();
  });
});

describe('renderTemplate', () => {
  const memory = {
    logline: { title: 'Salt Road', logline: 'A smuggler must choose.' },
    characters: [
      { name: 'Mara', role: 'protagonist', traits: ['stubborn', 'kind'] },
      { name: 'Ivo', role: 'rival' },
    ],
    count: 3,
  };
  const inputs = { premise: 'A smuggler on a salt road.', scenes: 6, dark: true };

  it('substitutes slots, fields and inputs; scalars as they are', () => {
    expect(renderTemplate('{{logline.title}} — {{inputs.premise}} ({{inputs.scenes}}, {{inputs.dark}}, {{count}})', { memory, inputs })).toBe(
      'Salt Road — A smuggler on a salt road. (6, true, 3)',
    );
  });

  it('renders objects and lists as readable text, not JSON', () => {
    expect(renderTemplate('Cast:\n{{characters}}', { memory, inputs })).toBe(
      'Cast:\n- name: Mara\n  role: protagonist\n  traits:\n    - stubborn\n    - kind\n- name: Ivo\n  role: rival',
    );
    expect(renderTemplate('{{logline}}', { memory, inputs })).toBe('title: Salt Road\nlogline: A smuggler must choose.');
  });

  it('renders a missing slot, field or input as empty', () => {
    expect(renderTemplate('[{{nothing}}|{{logline.missing}}|{{inputs.none}}]', { memory, inputs })).toBe('[||]');
  });

  it('readableText drops null fields', () => {
    expect(readableText({ a: 1, b: null, c: 'x' })).toBe('a: 1\nc: x');
    expect(readableText(['a', 2])).toBe('- a\n- 2');
  });
});
