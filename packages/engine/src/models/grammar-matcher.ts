// Follows a grammar character by character, for backends without a grammar engine of their own (transformers.js):
// before a token is picked, the matcher says whether its text can extend the answer so far, so the sampler only
// ever chooses tokens that keep the answer inside the grammar, and end-of-text only once the answer is complete.
// Every way the grammar could still go is kept as a continuation (what remains to match, innermost first), the
// same set-of-stacks idea as llama.cpp's own grammar sampler.
import { type Expr, type Grammar, inClass } from './grammar';

/** What remains to match: `head` first, then `tail`; null when nothing does (the answer is complete). */
type Continuation = { head: Expr; tail: Continuation } | null;

/** Continuations whose head is one character's worth of text or class; null stands for "complete". */
type Frontier = Continuation[];

/** Guards the expansion of a rule that could match nothing inside a repetition (not written by Storyloom). */
const MAX_EXPANSION_DEPTH = 256;
/** Ambiguous grammars can multiply continuations; past this many the rest are dropped. */
const MAX_CONTINUATIONS = 4096;

export class GrammarMatcher {
  private frontier: Frontier;

  constructor(private readonly grammar: Grammar) {
    this.frontier = this.expand({ head: { kind: 'ref', name: grammar.root }, tail: null });
  }

  /** Whether the answer so far is a whole match (end-of-text may follow). */
  get complete(): boolean {
    return this.frontier.includes(null);
  }

  /** Whether any character may follow the answer so far. */
  get open(): boolean {
    return this.frontier.some((continuation) => continuation !== null);
  }

  /** Whether `text` may follow the answer so far. */
  allows(text: string): boolean {
    return text.length > 0 && this.advance(this.frontier, text).length > 0;
  }

  /** Moves past `text`; throws if the grammar does not allow it. */
  accept(text: string): void {
    const next = this.advance(this.frontier, text);
    if (next.length === 0) throw new Error(`the grammar does not allow ${JSON.stringify(text)} here`);
    this.frontier = next;
  }

  private advance(frontier: Frontier, text: string): Frontier {
    let current = frontier;
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      const next: Frontier = [];
      for (const continuation of current) {
        if (continuation === null) continue;
        const { head, tail } = continuation;
        if (head.kind === 'chars') {
          if (inClass(head, codePoint)) next.push(...this.expand(tail));
        } else if (head.kind === 'text' && head.text.codePointAt(0) === codePoint) {
          const rest = head.text.slice(char.length);
          next.push(...this.expand(rest ? { head: { kind: 'text', text: rest }, tail } : tail));
        }
        if (next.length > MAX_CONTINUATIONS) break;
      }
      if (next.length === 0) return next;
      current = next;
    }
    return current;
  }

  /** The continuations `continuation` can start with, each headed by a character to match (or null: complete). */
  private expand(continuation: Continuation, depth = 0): Frontier {
    if (continuation === null) return [null];
    if (depth > MAX_EXPANSION_DEPTH) return [];
    const { head, tail } = continuation;
    switch (head.kind) {
      case 'chars':
        return [continuation];
      case 'text':
        return head.text ? [continuation] : this.expand(tail, depth + 1);
      case 'ref': {
        const body = this.grammar.rules.get(head.name);
        return body ? this.expand({ head: body, tail }, depth + 1) : [];
      }
      case 'seq':
        return this.expand(head.items.reduceRight<Continuation>((rest, item) => ({ head: item, tail: rest }), tail), depth + 1);
      case 'alt':
        return head.options.flatMap((option) => this.expand({ head: option, tail }, depth + 1));
      case 'repeat': {
        const { item, min, max } = head;
        const again: Expr = { kind: 'repeat', item, min: Math.max(0, min - 1), max: max - 1 };
        const more = max > 0 ? this.expand({ head: item, tail: { head: again, tail } }, depth + 1) : [];
        return min > 0 ? more : [...this.expand(tail, depth + 1), ...more];
      }
    }
  }
}
