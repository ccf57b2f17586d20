// The example screenplay pipeline, logline → cast → beats → lines → notes → script (3 characters, 3 scenes; the cast
// approval only when asked), used where a test needs real story node types; shipped pipelines are covered separately.
import type { Pipeline } from '../../../src/pipeline/schema';
import { exampleScreenplay } from '../../../../../test/support/example-screenplay';

export function screenplayPipeline(options: { approval?: boolean; scenes?: number } = {}): Pipeline {
  return exampleScreenplay({ cast: 3, scenes: options.scenes ?? 3, approval: options.approval ?? false });
}

export const PREMISE = 'A retired safecracker is hired to open the vault that ruined her career.';
