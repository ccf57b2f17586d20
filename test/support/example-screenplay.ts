// Typed entry to the shared example screenplay pipeline (see example-screenplay.js), for the TS tests of every package.
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
const shared = require('./example-screenplay.js') as {
  EXAMPLE_SCREENPLAY_FILE: string;
  exampleScreenplay(variant?: ScreenplayVariant): Pipeline;
};

export const EXAMPLE_SCREENPLAY_FILE = shared.EXAMPLE_SCREENPLAY_FILE;
export const exampleScreenplay: (variant?: ScreenplayVariant) => Pipeline = shared.exampleScreenplay;
