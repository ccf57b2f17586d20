// One validator for the CLI, the server and the editor (it runs in the browser): every problem at once.
import type { ValidationProblem } from '../errors';
import { createChecked } from './check-context';
import { checkCycles, checkEdges, checkNodeIds } from './check-graph';
import { checkConfigs, checkInputs, checkNodeTypes, checkWrites } from './check-nodes';
import { checkReads, checkReviewTargets, checkSlotConflicts, checkTemplates } from './check-slots';
import { problem } from './codes';
import { problemsFromIssues } from './issues';
import { describeJson, isRecord } from './json';
import { PIPELINE_FORMAT, PipelineSchema, type Pipeline } from './schema';
import { placeIn, salvage, shapeCode } from './shape';

export interface ValidationResult {
  valid: boolean;
  errors: ValidationProblem[];
  /** The parsed document, when its shape is right (even if graph checks found problems). */
  pipeline?: Pipeline;
}

export interface ValidateOptions {
  /** Run inputs as given (CLI strings are fine): also checks required, unknown and mistyped inputs. */
  inputs?: Record<string, unknown>;
}

/** Every problem at once. With `inputs`, also checks required run inputs. Browser-safe. */
export function validatePipeline(document: unknown, options: ValidateOptions = {}): ValidationResult {
  if (!isRecord(document)) {
    return result([problem('', 'schema', `a pipeline is a JSON object, not ${describeJson(document)}`)]);
  }
  if (document.format !== PIPELINE_FORMAT) {
    const found = document.format === undefined ? 'has no "format"' : `has format ${describeJson(document.format)}`;
    return result([problem('/format', 'unknown_format', `this file ${found}; Storyloom pipelines have "format": "${PIPELINE_FORMAT}"`)]);
  }
  const parsed = PipelineSchema.safeParse(document);
  const problems = parsed.success
    ? []
    : problemsFromIssues(parsed.error.issues, { input: document, schema: PipelineSchema, code: shapeCode, where: placeIn(document) });
  const salvaged = parsed.success ? { pipeline: parsed.data, unreadableConfig: new Set<number>() } : salvage(document);
  // A document too broken to read as nodes and edges gets its shape problems only: graph checks would guess.
  if (!salvaged) return result(problems);
  // A loop, not push(...list): spreading a list of thousands of problems overflows the stack.
  for (const found of checkPipeline(salvaged.pipeline, options, salvaged.unreadableConfig)) problems.push(found);
  return result(problems, parsed.success ? parsed.data : undefined);
}

/**
 * At most this many problems are listed (plus one `too_many_problems` entry saying how many more there were):
 * nobody reads thousands of lines, and a huge generated document must not make a huge answer.
 */
export const MAX_LISTED_PROBLEMS = 500;

/** The first MAX_LISTED_PROBLEMS problems, then one `too_many_problems` entry counting the rest. */
export function capProblems(problems: ValidationProblem[]): ValidationProblem[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems;
  const more = problems.length - MAX_LISTED_PROBLEMS;
  return [
    ...problems.slice(0, MAX_LISTED_PROBLEMS),
    problem('', 'too_many_problems', `${more} more problem${more === 1 ? '' : 's'} not listed (${problems.length} in all); fix the ones above first`),
  ];
}

/** One line per problem, columns aligned: `path  code  message`. */
export function formatProblems(errors: readonly ValidationProblem[]): string {
  const paths = errors.map((error) => error.path || '/');
  const pathWidth = Math.max(0, ...paths.map((path) => path.length));
  const codeWidth = Math.max(0, ...errors.map((error) => error.code.length));
  return errors.map((error, i) => `${paths[i].padEnd(pathWidth)}  ${error.code.padEnd(codeWidth)}  ${error.message}`).join('\n');
}

function result(found: ValidationProblem[], pipeline?: Pipeline): ValidationResult {
  const errors = capProblems(found);
  return pipeline ? { valid: errors.length === 0, errors, pipeline } : { valid: errors.length === 0, errors };
}

/** The checks beyond the shape, in the order their problems are listed. */
function checkPipeline(pipeline: Pipeline, options: ValidateOptions, unreadableConfig: Set<number>): ValidationProblem[] {
  const checked = createChecked(pipeline);
  checkNodeIds(checked);
  checkEdges(checked);
  checkCycles(checked);
  checkNodeTypes(checked);
  const inputValues = checkInputs(checked, options);
  checkConfigs(checked, inputValues, unreadableConfig);
  checkWrites(checked);
  const reported = checkTemplates(checked);
  checkReads(checked, reported);
  checkSlotConflicts(checked);
  checkReviewTargets(checked);
  return checked.problems;
}
