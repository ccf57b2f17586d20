// One validator for the CLI, the server and the editor (it runs in the browser): every problem at once.
import { StoryloomError, type ValidationProblem } from '../errors';
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

/** How an invalid pipeline is reported: who names it, what is wrong with it, and how its problems are listed. */
export interface InvalidPipelineOptions {
  /** The file or saved pipeline, as messages name it (`pipelines/x.json`, `saved pipeline 'x' v3`). */
  label?: string;
  /** What it is; default `invalid pipeline`. */
  what?: string;
  /** `inline` (default): the first few problems in one line; `table`: every problem, one per line (path, code, message). */
  list?: 'inline' | 'table';
  /** What to do about it, after the problems. */
  hint?: string;
}

const INLINE_PROBLEMS = 5;

/** The one message for an invalid pipeline, wherever it is refused (engine, API, CLI). */
export function invalidPipelineMessage(problems: readonly ValidationProblem[], options: InvalidPipelineOptions = {}): string {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  const head = `${options.label ? `${options.label}: ` : ''}${options.what ?? 'invalid pipeline'} (${count})`;
  if (options.list === 'table') {
    const table = formatProblems(problems).split('\n').map((line) => `  ${line}`).join('\n');
    return `${head}\n${table}${options.hint ? `\n  ${options.hint}` : ''}`;
  }
  const shown = problems.slice(0, INLINE_PROBLEMS).map((found) => found.message).join('; ');
  const more = problems.length > INLINE_PROBLEMS ? ` (and ${problems.length - INLINE_PROBLEMS} more)` : '';
  return `${head}: ${shown}${more}${options.hint ? `; ${options.hint}` : ''}`;
}

/**
 * The valid pipeline a document holds, or StoryloomError('invalid_pipeline') with the one message and every
 * problem in its details. What the engine, the API and the CLI all call before using a document.
 */
export function requireValidPipeline(document: unknown, options: ValidateOptions & InvalidPipelineOptions = {}): Pipeline {
  const result = validatePipeline(document, options.inputs ? { inputs: options.inputs } : {});
  if (!result.valid || !result.pipeline) throw new StoryloomError('invalid_pipeline', invalidPipelineMessage(result.errors, options), result.errors);
  return result.pipeline;
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
