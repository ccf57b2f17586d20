// The terminal approval question reads a line: its first word is the choice; only a reject takes the rest
// of the line, as its feedback. A letter is never glued to the feedback ("rMake …" is no answer).
import { StoryloomError } from '@storyloom/engine';
import { askApproval, parseAnswer } from '../../src/cli/approval-prompt';

describe('approval prompt answers', () => {
  test('a letter or word, any case, with spaces around', () => {
    expect(parseAnswer(' A ')).toEqual({ choice: 'a', rest: '' });
    expect(parseAnswer('approve')).toEqual({ choice: 'approve', rest: '' });
    expect(parseAnswer('e\n')).toEqual({ choice: 'e', rest: '' });
  });

  test('r followed by feedback on the same line rejects with that feedback, letter left out', () => {
    expect(parseAnswer('r Make Delphine older')).toEqual({ choice: 'r', rest: 'Make Delphine older' });
    expect(parseAnswer('reject   Set it at dawn ')).toEqual({ choice: 'reject', rest: 'Set it at dawn' });
  });

  test('a letter run into the text, or text after another choice, is not a choice', () => {
    expect(parseAnswer('rMake Delphine older').choice).not.toBe('r');
    expect(parseAnswer('rMake Delphine older').rest).toBe('');
    expect(parseAnswer('a please').choice).not.toBe('a');
  });
});

describe('the approval question with candidates and policy flags', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PassThrough } = require('node:stream') as typeof import('node:stream');

  async function answer(lines: string[], approval: Parameters<typeof askApproval>[1], decide: Parameters<typeof askApproval>[2]) {
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    const output = new PassThrough() as unknown as NodeJS.WriteStream;
    let printed = '';
    (output as unknown as NodeJS.EventEmitter).on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const asked = askApproval({ stdin, output, env: {} }, approval, decide);
    for (const line of lines) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      (stdin as unknown as NodeJS.WritableStream).write(`${line}\n`);
    }
    return { outcome: await asked, printed: () => printed };
  }

  test('c <i> keeps that candidate; a candidate the engine refuses is said and asked again', async () => {
    const decisions: unknown[] = [];
    const { outcome, printed } = await answer(['c 7', 'v 2', 'c 2'], { nodeId: 'cast', draft: { n: 0 }, candidates: [{ n: 0 }, { n: 1 }, { n: 2 }] }, async (decision) => {
      if (decision.decision === 'choose' && decision.candidate > 2) throw new StoryloomError('invalid_input', 'there is no candidate 7');
      decisions.push(decision);
    });
    expect(outcome).toBe('decided');
    expect(decisions).toEqual([{ decision: 'choose', candidate: 2 }]);
    expect(printed()).toMatch(/3 candidates; candidate 0 \(the draft\)/);
    expect(printed()).toMatch(/c <i> keep candidate i \(0–2\)/);
    expect(printed()).toMatch(/there is no candidate 7/);
    expect(printed()).toMatch(/"n": 2/);
  });

  test('a policy gate shows its flags above the question', async () => {
    const flags = [{ category: 'graphic-violence', scene: 2, message: '3 graphic injury details in one scene', evidence: 'entrails, severed', source: 'checks' }];
    const { printed } = await answer(['a'], { nodeId: 'notes', kind: 'policy', draft: { policy: flags } }, async () => undefined);
    expect(printed()).toMatch(/Content policy: notes flagged the text/);
    expect(printed()).toMatch(/scene 2: graphic-violence: 3 graphic injury details in one scene — “entrails, severed”/);
  });
});
