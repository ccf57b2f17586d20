// Every code a validation problem may carry, each with what it means, and `problem()`, which the checks report with.
// Adapters (CLI, HTTP, editor) may branch on the codes; messages are for people.
import type { ProblemFix, ValidationProblem } from '../errors';

export const VALIDATION_CODES = {
  unknown_format: 'the document is not a storyloom/pipeline@1 file (missing or other "format")',
  schema: 'the document has the wrong shape: a missing or mistyped field, or an unknown key (typos do not pass)',
  invalid_id: 'a pipeline or node id does not match [a-z0-9][a-z0-9-]{0,63}',
  duplicate_node_id: 'two nodes share an id',
  unknown_node: 'an edge starts or ends at a node id that does not exist',
  self_loop: 'an edge connects a node to itself',
  duplicate_edge: 'the same source → target edge appears more than once',
  cycle: 'the edges form a cycle (the message names it: cycle: a → b → a)',
  unknown_node_type: 'a node has a type the catalogue does not know (the message suggests the nearest)',
  invalid_config: "a node's config fails its type's config schema (the path points into the config)",
  missing_slot: 'a node reads a memory slot that no upstream node writes',
  slot_conflict: 'nodes that are not upstream of one another write the same slot (one problem per slot, naming the writers)',
  too_many_problems: 'the problem list was cut short (the message says how many more there were)',
  missing_writes: 'a prompt node does not say which slot it writes ("writes")',
  invalid_slot_name: 'a "writes" slot name is not an identifier usable in {{slot}} templates',
  unknown_template_ref: 'a template references a {{slot}} no upstream node writes, or an {{inputs.NAME}} the pipeline does not declare',
  missing_input: 'a required run input is missing (or blank)',
  unknown_input: 'a run input is given that the pipeline does not declare',
  invalid_input: 'a run input does not read as its declared type (e.g. "many" for a number)',
  invalid_input_default: "an input's default does not have the input's declared type",
  review_target: 'a review node targets a node that does not exist, is not upstream of it, or cannot rewrite',
} as const;

export type ValidationCode = keyof typeof VALIDATION_CODES;

export function problem(path: string, code: ValidationCode, message: string, fix?: ProblemFix): ValidationProblem {
  return fix ? { path, code, message, fix } : { path, code, message };
}
