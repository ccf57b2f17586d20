// Checks a draft (a node's output being approved or edited) with the engine's own output schema, the one
// the server applies to an edit, and words each problem for a producer: "Character 3: the name is empty",
// keyed by the JSON pointer of the field it concerns so the form can show it in place.
import { getNodeType, outputSchemaOf, resolveNodeConfig } from '@storyloom/engine';
import type { PathKey } from './pointer';
import { pointerOf } from './pointer';

export interface DraftProblem {
  /** JSON pointer of the field ('' for the whole draft). */
  pointer: string;
  message: string;
}

/** Nouns for list items, by the list's key: `characters[2]` reads "Character 3". */
const ITEM_NOUNS: Record<string, string> = {
  characters: 'Character',
  locations: 'Location',
  acts: 'Act',
  beats: 'beat',
  scenes: 'Scene',
  elements: 'element',
  passages: 'Passage',
  issues: 'issue',
  notes: 'note',
};

/** Field names as a producer says them. */
const FIELD_WORDS: Record<string, string> = {
  want: 'what they want',
  heading: 'scene heading',
  interior: 'interior / exterior',
  parenthetical: 'parenthetical',
  text: 'text',
  summary: 'summary',
  beat: 'beat',
  logline: 'logline',
};

export function fieldWords(key: string): string {
  return FIELD_WORDS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "Character 3 · name" for ['characters', 2, 'name']; the list item alone when the path ends at one. */
export function describePath(path: readonly PathKey[]): { where: string; field?: string } {
  const parts: string[] = [];
  let field: string | undefined;
  path.forEach((key, index) => {
    if (typeof key === 'number') {
      const list = path[index - 1];
      const noun = typeof list === 'string' ? ITEM_NOUNS[list] : undefined;
      parts.push(`${noun ?? 'item'} ${key + 1}`);
      field = undefined;
    } else if (typeof path[index + 1] !== 'number') field = key;
  });
  const where = parts.join(', ');
  return { where: where ? where[0].toUpperCase() + where.slice(1) : '', field };
}

interface Issue {
  code: string;
  path: PathKey[];
  message: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  expected?: string;
  keys?: string[];
  input?: unknown;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a group of fields',
};

function sentence(issue: Issue): string {
  const list = issue.path[issue.path.length - 1];
  const items = typeof list === 'string' ? fieldWords(list) : 'items';
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return 'is empty: write something here';
      if (issue.origin === 'array') return `needs at least ${Number(issue.minimum)} ${Number(issue.minimum) === 1 ? items.replace(/s$/, '') : items}`;
      return `must be at least ${Number(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `has too many ${items}: at most ${Number(issue.maximum)}${Array.isArray(issue.input) ? `, there are ${issue.input.length}` : ''}`;
      if (issue.origin === 'string') return `is too long: at most ${Number(issue.maximum)} characters`;
      return `must be at most ${Number(issue.maximum)}`;
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      return `should be ${EXPECTED_WORDS[issue.expected ?? ''] ?? issue.expected}`;
    case 'unrecognized_keys':
      return `has field${(issue.keys?.length ?? 0) > 1 ? 's' : ''} this stage does not use: ${(issue.keys ?? []).join(', ')} (remove ${(issue.keys?.length ?? 0) > 1 ? 'them' : 'it'})`;
    case 'invalid_union':
      return 'is not an action, a line of dialogue or a transition';
    case 'invalid_value':
      return `should be one of the allowed values`;
    default:
      return issue.message;
  }
}

export function producerMessage(issue: Issue): string {
  const { where, field } = describePath(issue.path);
  if (issue.origin === 'array' && (issue.code === 'too_big' || issue.code === 'too_small')) {
    // About the list itself: "Too many characters (at most 12)".
    const items = field ? fieldWords(field) : 'items';
    const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
    const text = issue.code === 'too_big' ? `Too many ${items}: at most ${limit}` : `At least ${limit} ${limit === 1 ? items.replace(/s$/, '') : items} needed`;
    return where ? `${where}: ${text[0].toLowerCase()}${text.slice(1)}` : text;
  }
  const subject = field ? `the ${fieldWords(field)}` : where ? '' : 'The draft';
  const head = where ? `${where}: ${subject}` : subject[0].toUpperCase() + subject.slice(1);
  return `${head.trim()} ${sentence(issue)}`.replace(/\s+/g, ' ');
}

/** The node a draft belongs to: its type and config (a prompt node's JSON schema lives in its config). */
export interface DraftSource {
  type: string;
  config?: Record<string, unknown>;
}

/**
 * The problems of a draft written by `source`, checked as the server checks an edit. Unknown types, and
 * configs that need run inputs not at hand, are not checked beyond parsing.
 */
export function checkDraft(source: DraftSource | undefined, value: unknown, inputs: Record<string, unknown> = {}): DraftProblem[] {
  if (!source) return [];
  const type = getNodeType(source.type);
  if (!type) return [];
  let schema;
  try {
    // Only a prompt node's output schema depends on its (resolved) config.
    const config = typeof type.outputSchema === 'function' ? resolveNodeConfig({ id: 'draft', type: source.type, config: source.config ?? {} } as never, inputs as never) : undefined;
    schema = outputSchemaOf(type, config as never);
  } catch {
    return [];
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  return (parsed.error.issues as unknown as Issue[]).map((issue) => ({ pointer: pointerOf(issue.path), message: producerMessage(issue) }));
}
