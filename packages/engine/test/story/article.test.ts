// "an 'outline' node", "an orphan", "a user": the article goes by the sound of the word that follows.
import { validatePipeline } from '../../src/pipeline/validate';
import { protagonistDescription } from '../../src/story/premise';
import { indefiniteArticle } from '../../src/story/text';

describe('indefinite article', () => {
  test('by the first sound', () => {
    expect(['outline', "'outline'", 'export', 'scene', 'logline', 'user', 'one-off', 'hour', 'Eulogy', 'umbrella'].map((w) => `${indefiniteArticle(w)} ${w}`)).toEqual([
      'an outline',
      "an 'outline'",
      'an export',
      'a scene',
      'a logline',
      'a user',
      'a one-off',
      'an hour',
      'a Eulogy',
      'an umbrella',
    ]);
  });

  test("validation suggests adding an Outline node", () => {
    const result = validatePipeline({
      format: 'storyloom/pipeline@1',
      id: 'no-outline',
      inputs: { premise: { type: 'string', required: true } },
      nodes: [
        { id: 'logline', type: 'logline' },
        { id: 'cast', type: 'characters' },
        { id: 'cards', type: 'scenes' },
      ],
      edges: [
        { source: 'logline', target: 'cast' },
        { source: 'cast', target: 'cards' },
      ],
    });
    const messages = result.errors.map((e) => e.message).join('\n');
    expect(messages).toContain("Scenes 'cards' needs an Outline node before it — connect one");
    expect(messages).not.toContain('a Outline');
  });

  test('the offline writer describes a protagonist with the right article', () => {
    expect(protagonistDescription('An orphan inherits a lighthouse.')).toMatch(/^An orphan/);
    expect(protagonistDescription('A retired cartographer finds a map.')).toMatch(/^A retired cartographer/);
  });
});
