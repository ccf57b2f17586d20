// What a pipeline document needs before it can be saved as a draft (a version that fails validation). Browser-safe.
//
// A draft may have any validation problem except these, which would make it unstorable or unfindable:
//   - it is a JSON object;
//   - `format` is "storyloom/pipeline@1" (so it is recognisably a pipeline, and the editor can open it);
//   - `id` is a string matching [a-z0-9][a-z0-9-]{0,63} (it keys the saved pipeline and its URL);
//   - `nodes` and `edges` are arrays (what the editor draws; their items may be incomplete or wrong);
//   - `name`, when present, is a string (version history lists it; a draft without one is listed by id).
import type { ValidationProblem } from '../errors';
import { problem } from './codes';
import { describeJson, isRecord } from './json';
import { ID_PATTERN, PIPELINE_FORMAT } from './schema';

/** The problems that stop a document being saved even as a draft; empty when it can be. */
export function draftProblems(document: unknown): ValidationProblem[] {
  if (!isRecord(document)) return [problem('', 'schema', `a pipeline draft is a JSON object, not ${describeJson(document)}`)];
  const problems: ValidationProblem[] = [];
  if (document.format !== PIPELINE_FORMAT) {
    problems.push(problem('/format', 'unknown_format', `a pipeline draft needs "format": "${PIPELINE_FORMAT}", got ${describeJson(document.format)}`));
  }
  if (typeof document.id !== 'string' || !ID_PATTERN.test(document.id)) {
    problems.push(problem('/id', 'invalid_id', `a pipeline draft needs an "id" matching [a-z0-9][a-z0-9-]{0,63}, got ${describeJson(document.id)}`));
  }
  for (const key of ['nodes', 'edges'] as const) {
    if (!Array.isArray(document[key])) problems.push(problem(`/${key}`, 'schema', `a pipeline draft needs a "${key}" array, got ${describeJson(document[key])}`));
  }
  if (document.name !== undefined && typeof document.name !== 'string') {
    problems.push(problem('/name', 'schema', `"name" must be a string, got ${describeJson(document.name)}`));
  }
  return problems;
}
