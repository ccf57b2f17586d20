// Reading a JSON answer out of model text: code fences, leading chatter and trailing remarks are common from
// servers without JSON-schema support. Every provider's structured answer (offline included) goes through here.
import { z } from 'zod';

/** The text of the first balanced JSON object or array in `text`, honouring strings and escapes. */
function firstBalancedJson(text: string): string | undefined {
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const stack: string[] = [];
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const char = text[i]!;
      if (inString) {
        if (char === '\\') i++;
        else if (char === '"') inString = false;
        continue;
      }
      if (char === '"') inString = true;
      else if (char === '{' || char === '[') stack.push(char === '{' ? '}' : ']');
      else if (char === '}' || char === ']') {
        if (stack.pop() !== char) break;
        if (stack.length === 0) {
          const candidate = text.slice(start, i + 1);
          try {
            JSON.parse(candidate);
            return candidate;
          } catch {
            break;
          }
        }
      }
    }
  }
  return undefined;
}

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses the JSON value a model meant to give: the whole text, a fenced block, or the first balanced value. */
export function extractJson(text: string): JsonExtraction {
  const trimmed = text.trim();
  const attempts = [trimmed];
  for (const match of trimmed.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) attempts.push(match[1]!.trim());
  for (const candidate of attempts) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch {
      // try the next reading
    }
  }
  const balanced = firstBalancedJson(trimmed);
  if (balanced !== undefined) return { ok: true, value: JSON.parse(balanced) };
  const preview = trimmed.length > 120 ? `${trimmed.slice(0, 117)}...` : trimmed;
  return { ok: false, error: `the answer contains no JSON value: "${preview}"` };
}

/** Zod issues as `path: message` lines, e.g. `characters.0.name: Invalid input: expected string`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

export type JsonReading<T> = { ok: true; value: T } | { ok: false; error: string };

/** Extracts and validates; `error` says what a repair prompt must fix. */
export function readJsonReply<T>(text: string, schema: z.ZodType<T>, prepare?: (value: unknown) => unknown): JsonReading<T> {
  const extracted = extractJson(text);
  if (!extracted.ok) return extracted;
  const parsed = schema.safeParse(prepare ? prepare(extracted.value) : extracted.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: `the JSON does not match the schema: ${describeIssues(parsed.error)}` };
}

/** JSON Schema of a zod schema for prompts; falls back to a note when a schema cannot be represented. */
export function jsonSchemaText(schema: z.ZodType): string {
  try {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return '(a JSON value)';
  }
}

/** Appended to the prompt when the server cannot be given the schema as a response format. */
export function jsonOnlyInstruction(schema: z.ZodType): string {
  return [
    'Answer with JSON only: one JSON value that matches this JSON Schema, with no explanation before or after it and no code fences.',
    `JSON Schema: ${jsonSchemaText(schema)}`,
  ].join('\n');
}

export function repairInstruction(problem: string, schema: z.ZodType): string {
  return [
    `Your previous answer could not be used: ${problem}.`,
    'Answer again with the corrected JSON only, no explanation and no code fences.',
    `JSON Schema: ${jsonSchemaText(schema)}`,
  ].join('\n');
}
