// The terminal approval question reads a line: its first word is the choice; only a reject takes the rest
// of the line, as its feedback. A letter is never glued to the feedback ("rMake …" is no answer).
import { parseAnswer } from '../../src/cli/approval-prompt';

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
