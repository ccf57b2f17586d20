// The JSON grammar written from output schemas, walked with Storyloom's own matcher: random walks through the
// grammar always give JSON the schema accepts, a grammar fitted to a budget always finishes within it, and the
// GBNF text is what llama.cpp's parser reads (llama.cpp itself compiles it in local-gguf.test.ts).
import { z } from 'zod';
import { GrammarMatcher } from '../../src/models/grammar-matcher';
import { boundsOf, type Grammar } from '../../src/models/grammar';
import { fittedJsonGrammar, jsonGrammar, jsonGrammarOf, outputJsonSchema } from '../../src/models/json-grammar';
import { describeNodeTypes } from '../../src/nodes/catalogue';
import { sceneListSchemaFor } from '../../src/story/constrained';
import { seededRandom } from '../../src/story/random';

/** Characters a walk tries, closers weighted up so open grammars end. */
const ALPHABET = [...' abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.,:\'é', ...'"]}'.repeat(8), ...'{["tn'];

/** A random answer the grammar allows, one character at a time (ending when complete, sometimes early). */
function walk(grammar: Grammar, seed: number, limit = 20_000): string {
  const random = seededRandom(seed);
  const matcher = new GrammarMatcher(grammar);
  let answer = '';
  while (answer.length < limit) {
    if (matcher.complete && (!matcher.open || random() < 0.5)) return answer;
    const allowed = ALPHABET.filter((char) => matcher.allows(char));
    if (allowed.length === 0) throw new Error(`stuck after ${JSON.stringify(answer)}`);
    const char = allowed[Math.floor(random() * allowed.length)]!;
    matcher.accept(char);
    answer += char;
  }
  throw new Error(`no end after ${limit} characters: ${answer.slice(0, 200)}`);
}

const story = z.object({
  title: z.string().min(3).max(20),
  mood: z.enum(['eerie', 'warm', 'bleak']),
  score: z.number().int().min(1).max(10),
  note: z.string().nullable(),
  beats: z.array(z.object({ name: z.string().min(1), minutes: z.number().min(0) })).min(2).max(4),
  kind: z.discriminatedUnion('type', [z.object({ type: z.literal('line'), text: z.string() }), z.object({ type: z.literal('cut') })]),
});

describe('JSON grammar from an output schema', () => {
  test('every walk through the grammar is JSON the schema accepts: enums, ranges, lengths, nullable, bounded lists, unions', () => {
    const grammar = jsonGrammarOf(outputJsonSchema(story));
    for (let seed = 1; seed <= 40; seed++) {
      const answer = walk(grammar, seed);
      const parsed = story.safeParse(JSON.parse(answer));
      expect([answer, parsed.error?.message]).toEqual([answer, undefined]);
    }
  });

  test('the matcher refuses what the schema refuses', () => {
    const matcher = new GrammarMatcher(jsonGrammarOf(outputJsonSchema(story)));
    expect(matcher.allows('{')).toBe(true);
    expect(matcher.allows('[')).toBe(false);
    matcher.accept('{"title":"ab');
    expect(matcher.allows('"')).toBe(false); // shorter than 3 characters
    matcher.accept('c", "mood": ');
    expect(matcher.allows('"cheerful"')).toBe(false);
    matcher.accept('"eerie", "score": ');
    expect(matcher.allows('11')).toBe(false);
    expect(matcher.allows('0')).toBe(false);
    expect(matcher.allows('10,')).toBe(true);
    expect(matcher.complete).toBe(false);
  });

  test('the GBNF spells out what the schema asks for', () => {
    const gbnf = jsonGrammar(outputJsonSchema(story));
    expect(gbnf).toMatch(/^root ::= /);
    expect(gbnf).toContain('"\\"eerie\\"" | "\\"warm\\"" | "\\"bleak\\""');
    expect(gbnf).toContain('"1" | "2" | "3"');
    expect(gbnf).toMatch(/char\{3,20\}/);
    expect(gbnf).toContain('[^"\\\\\\x00-\\x1F\\x7F]');
  });

  test('a grammar fitted to a budget ends every answer within it, and keeps the schema', () => {
    const cards = outputJsonSchema(sceneListSchemaFor(['MARA', 'TOMAS'], ['LIGHTHOUSE', 'HARBOUR']));
    expect(boundsOf(jsonGrammarOf(cards)).max).toBe(Infinity);
    for (const budget of [700, 1500, 4000]) {
      const fitted = fittedJsonGrammar(cards, budget);
      if (!fitted.ok) throw new Error(`${budget} bytes should fit one scene card`);
      expect(boundsOf(fitted.grammar).max).toBeLessThanOrEqual(budget);
      for (let seed = 1; seed <= 10; seed++) {
        const answer = walk(fitted.grammar, seed * 7);
        expect(Buffer.byteLength(answer)).toBeLessThanOrEqual(budget);
        expect(sceneListSchemaFor(['MARA', 'TOMAS'], ['LIGHTHOUSE', 'HARBOUR']).safeParse(JSON.parse(answer)).success).toBe(true);
      }
    }
    // A budget below the shortest card is refused with the budget it would take.
    const tooSmall = fittedJsonGrammar(cards, 40);
    expect(tooSmall.ok).toBe(false);
    expect(!tooSmall.ok && tooSmall.needs).toBeGreaterThan(40);
  });

  test('every node type of the catalogue has a grammar, and one fitted to 2000 bytes', () => {
    for (const type of describeNodeTypes().filter((entry) => entry.usesModel !== false)) {
      const schema = type.outputSchema as Record<string, unknown>;
      expect(jsonGrammar(schema)).toMatch(/^root ::= /);
      const fitted = fittedJsonGrammar(schema, 2000);
      expect([type.type, fitted.ok]).toEqual([type.type, true]);
    }
  });
});
