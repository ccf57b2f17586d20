import { isStoryloomError, StoryloomError } from '../../src/errors';
import { resolveNodeConfig, substituteInputs } from '../../src/pipeline/config';

describe('substituteInputs', () => {
  it('gives a whole-string reference the input value and type, interpolates partial ones, and leaves templates alone', () => {
    const { config, uses } = substituteInputs(
      { scenes: '{{inputs.scenes}}', title: 'Act {{ inputs.scenes }} of {{inputs.premise}}', list: ['{{inputs.dark}}'], template: 'Say {{inputs.premise}} to {{logline}}' },
      ['template'],
      { scenes: 6, premise: 'rain', dark: true },
    );
    expect(config).toEqual({ scenes: 6, title: 'Act 6 of rain', list: [true], template: 'Say {{inputs.premise}} to {{logline}}' });
    expect(uses.map((use) => use.path)).toEqual([['scenes'], ['title'], ['list', 0]]);
  });

  it('drops a field whose input has no value, so the type default applies', () => {
    expect(substituteInputs({ scenes: '{{inputs.scenes}}', acts: 2 }, [], {}).config).toEqual({ acts: 2 });
  });
});

describe('resolveNodeConfig', () => {
  it('substitutes inputs and applies the type defaults', () => {
    expect(resolveNodeConfig({ id: 'beats', type: 'outline', config: { scenes: '{{inputs.scenes}}' } }, { scenes: 8 })).toEqual({ scenes: 8, acts: 3 });
    expect(resolveNodeConfig({ id: 'beats', type: 'outline' }, {})).toEqual({ scenes: 6, acts: 3 });
  });

  it('throws invalid_input naming the node, the field and the input', () => {
    let thrown: unknown;
    try {
      resolveNodeConfig({ id: 'beats', type: 'outline', config: { scenes: '{{inputs.scenes}}' } }, { scenes: 500 });
    } catch (error) {
      thrown = error;
    }
    expect(isStoryloomError(thrown, 'invalid_input')).toBe(true);
    expect((thrown as StoryloomError).message).toMatch(/^outline 'beats' config 'scenes' \(from input 'scenes' = 500\): /);
    expect((thrown as StoryloomError).details).toEqual([expect.objectContaining({ path: '/config/scenes', code: 'invalid_config' })]);
  });

  it('throws invalid_pipeline for an unknown type', () => {
    expect(() => resolveNodeConfig({ id: 'x', type: 'nope' }, {})).toThrow("node 'x' has unknown type 'nope'");
  });
});
