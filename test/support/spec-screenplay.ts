// Typed entry to the shared example screenplay pipeline (see spec-screenplay.js), for the TS tests of every package.
import type { ModelSpec, Pipeline } from '../../packages/engine/src/pipeline/schema';

export interface ScreenplayVariant {
  id?: string;
  name?: string;
  model?: ModelSpec;
  /** Default of the `scenes` input. */
  scenes?: number;
  /** Character count of the `cast` node. */
  cast?: number;
  /** true/false sets/removes the approval on `cast` (the example has one). */
  approval?: boolean;
  /** The review node's threshold. */
  threshold?: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared = require('./spec-screenplay.js') as {
  SPEC_SCREENPLAY_FILE: string;
  specScreenplay(variant?: ScreenplayVariant): Pipeline;
};

export const SPEC_SCREENPLAY_FILE = shared.SPEC_SCREENPLAY_FILE;
export const specScreenplay: (variant?: ScreenplayVariant) => Pipeline = shared.specScreenplay;
