// Saved pipelines as the API answers them: every save is a version, and a version may be a draft that does
// not validate yet (saved with its problems, not runnable).
import type { Actor } from './actor';
import type { ValidationProblem } from '../errors';
import type { Pipeline } from '../pipeline/schema';

export interface StoredPipeline {
  id: string;
  version: number;
  /**
   * The document as saved. When `valid` is false (a draft) it has only the draft minimum (format, id,
   * `nodes`/`edges` arrays) and may not fit the schema: validate before use.
   */
  pipeline: Pipeline;
  /** Whether this version passed validation when it was saved; a draft (false) cannot be run. */
  valid: boolean;
  /** Its validation problems when saved (empty when valid). */
  errors: ValidationProblem[];
  createdAt: string;
  updatedAt: string;
}

export interface PipelineVersionInfo {
  version: number;
  createdAt: string;
  name: string;
  /** False for a draft version (saved with validation problems). */
  valid: boolean;
  /** How many validation problems it was saved with. */
  problemCount: number;
  /** Who saved it (from the audit list; absent for versions saved before anyone was identified). */
  savedBy?: Actor;
}
