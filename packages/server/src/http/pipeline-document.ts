import { type Pipeline, validatePipeline } from '@storyloom/engine/node';
import { HttpError } from './errors';

/** The engine's validation, all problems at once; an invalid document is a 400 with the problems in `details`. */
export function requireValidPipeline(document: unknown, inputs?: Record<string, unknown>): Pipeline {
  const result = validatePipeline(document, inputs ? { inputs } : undefined);
  if (!result.valid || !result.pipeline) {
    const count = result.errors.length;
    const first = result.errors[0]?.message ?? 'the document is not a pipeline';
    throw new HttpError(400, 'invalid_pipeline', `pipeline has ${count} problem${count === 1 ? '' : 's'}: ${first}`, result.errors);
  }
  return result.pipeline;
}
