// The node catalogue. Adding a node type: write its file, then add it to `nodeTypes`.
import { z } from 'zod';
import { capabilitiesOf, type InputRead, type NodeCapabilities, type NodeCategory, type NodeType, type SlotRead } from './types';
import { loglineNode } from './logline';
import { charactersNode } from './characters';
import { settingNode } from './setting';
import { outlineNode } from './outline';
import { scenesNode } from './scenes';
import { dialogueNode } from './dialogue';
import { proseNode } from './prose';
import { reviewNode } from './review';
import { promptNode } from './prompt';
import { exportNode } from './export';

export const nodeTypes: readonly NodeType[] = [
  loglineNode,
  charactersNode,
  settingNode,
  outlineNode,
  scenesNode,
  dialogueNode,
  proseNode,
  reviewNode,
  promptNode,
  exportNode,
];

const byType = new Map(nodeTypes.map((type) => [type.type, type]));

export function getNodeType(type: string): NodeType | undefined {
  return byType.get(type);
}

export interface NodeTypeDescription {
  type: string;
  title: string;
  description: string;
  category: NodeCategory;
  /** Slots read with the type's default config (`prompt` reads what its template references). */
  reads: SlotRead[];
  /** Run inputs read directly, not through a slot (e.g. `logline` reads the premise). */
  readsInputs: InputRead[];
  writes?: string;
  usesModel: boolean;
  /** What the type can do (uses a model, revises a target, exports a document …). */
  capabilities: NodeCapabilities;
  /** The id the editor gives a new node of this type. */
  suggestedId: string;
  templateFields: string[];
  /** JSON Schema of the config as written in a pipeline file (defaults make fields optional). */
  configSchema: object;
  outputSchema: object;
}

/** For types whose output depends on config (`prompt`): what any output looks like. */
const GENERIC_OUTPUT = {
  description: 'Text, or JSON matching the JSON Schema in config.schema when config.output is "json".',
};

function defaultReads(type: NodeType): SlotRead[] {
  const parsed = type.configSchema.safeParse({});
  try {
    return type.reads(parsed.success ? parsed.data : {});
  } catch {
    return [];
  }
}

/** What a type can do, by its name; undefined for a type the catalogue does not have. */
export function nodeCapabilities(type: string): NodeCapabilities | undefined {
  const found = getNodeType(type);
  return found && capabilitiesOf(found);
}

let described: NodeTypeDescription[] | undefined;

/** What GET /api/node-types returns (computed once: the catalogue does not change at run time). */
export function describeNodeTypes(): NodeTypeDescription[] {
  described ??= nodeTypes.map(describeNodeType);
  return described;
}

function describeNodeType(type: NodeType): NodeTypeDescription {
  return {
    type: type.type,
    title: type.title,
    description: type.description,
    category: type.category,
    reads: defaultReads(type),
    readsInputs: (type.readsInputs ?? []).map((read) => ({ ...read })),
    ...(type.writes ? { writes: type.writes } : {}),
    usesModel: type.usesModel,
    capabilities: capabilitiesOf(type),
    suggestedId: type.suggestedId ?? type.type,
    templateFields: [...(type.templateFields ?? [])],
    configSchema: z.toJSONSchema(type.configSchema, { io: 'input', unrepresentable: 'any' }),
    outputSchema:
      typeof type.outputSchema === 'function'
        ? GENERIC_OUTPUT
        : z.toJSONSchema(type.outputSchema, { io: 'output', unrepresentable: 'any' }),
  };
}
