// Runs catalogue nodes directly (no runner): builds each node's context from a memory map, the way the
// runner will, so unit tests can drive a whole chain logline → … → export offline.
import { getNodeType } from '../../src/nodes/catalogue';
import { outputSchemaOf, type ModelCaller, type NodeContext, type ReviewTarget, type StoryMemory } from '../../src/nodes/types';
import type { RunInputs } from '../../src/pipeline/schema';
import { sceneNoteText, type SceneNote } from '../../src/story/types';
import { directCaller } from './direct-caller';

export interface RunNodeOptions {
  config?: Record<string, unknown>;
  feedback?: string[];
  previous?: unknown;
  revisionNotes?: SceneNote[];
  model?: ModelCaller;
  target?: ReviewTarget;
  nodeId?: string;
}

export async function runNode(type: string, inputs: RunInputs, memory: StoryMemory, options: RunNodeOptions = {}): Promise<unknown> {
  const nodeType = getNodeType(type);
  if (!nodeType) throw new Error(`no node type ${type}`);
  const config = nodeType.configSchema.parse(options.config ?? {});
  const nodeId = options.nodeId ?? type;
  const ctx: NodeContext<unknown> = {
    nodeId,
    node: { id: nodeId, type, config: options.config },
    config,
    inputs,
    memory,
    feedback: options.feedback ?? [],
    previous: options.previous,
    ...(options.revisionNotes ? { revisionNotes: options.revisionNotes, feedback: options.revisionNotes.map(sceneNoteText) } : {}),
    model: options.model ?? directCaller(),
    target: options.target,
    signal: new AbortController().signal,
  };
  const output = await nodeType.run(ctx);
  // Every output must fit the type's output schema, as the runner checks.
  return outputSchemaOf(nodeType, config).parse(output);
}

export const PREMISES = [
  'A retired cartographer finds a map of a city that does not exist, and her missing brother is on it.',
  'A night-shift engineer on an orbital station hears a distress signal from a ship that was scrapped ten years ago.',
];

/** logline → characters ∥ setting → outline → scenes → dialogue and prose, offline. */
export async function planAndWrite(premise: string, scenes = 6): Promise<Record<string, unknown>> {
  const inputs = { premise, scenes };
  const memory: Record<string, unknown> = {};
  memory.logline = await runNode('logline', inputs, memory);
  memory.characters = await runNode('characters', inputs, memory, { config: { count: 4 } });
  memory.setting = await runNode('setting', inputs, memory);
  memory.outline = await runNode('outline', inputs, memory, { config: { scenes } });
  memory.scenes = await runNode('scenes', inputs, memory);
  memory.dialogue = await runNode('dialogue', inputs, memory);
  memory.draft = await runNode('prose', inputs, memory);
  return memory;
}
