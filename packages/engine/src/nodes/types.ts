// The contract between a node type and the runner: what a type declares (config and output schemas, the slots and
// inputs it reads, the slot it writes, its capabilities) and what it runs with (its parsed config, the story memory
// its ancestors wrote, notes to act on, a model caller, and for a review the target it may ask to rewrite).
import type { z } from 'zod';
import type { PipelineNode, RunInputs } from '../pipeline/schema';
import type { SceneNote } from '../story/types';

/**
 * A slot a node type reads from the story memory. `alternatives` are slots that may stand in for
 * `slot` (dialogue reads `scenes`, or else `outline`): the read is satisfied by the first one an
 * ancestor writes.
 */
export interface SlotRead {
  slot: string;
  optional?: boolean;
  alternatives?: string[];
  description?: string;
}

/**
 * A run input a node type reads directly (not through a slot), for the catalogue: e.g. the premise.
 * Descriptive only: validation checks run inputs against the pipeline's `inputs`, not against this.
 */
export interface InputRead {
  input: string;
  optional?: boolean;
  description?: string;
}

/** The story memory a node sees: the slots its ancestors wrote, by slot name. */
export type StoryMemory = Readonly<Record<string, unknown>>;

/** Sampling one call asks for, over the node's model spec (a judge at temperature 0). */
export interface CallSampling {
  temperature?: number;
  maxTokens?: number;
}

export interface TextCall extends CallSampling {
  /** Names the sub-call in events and usage, e.g. `scene-3`. */
  label?: string;
  system?: string;
  prompt: string;
  /** The offline model's answer to this exact prompt: deterministic, derived from the context. */
  offline: () => string;
}

export interface JsonCall<T> extends CallSampling {
  label?: string;
  system?: string;
  prompt: string;
  /** Plain output schema (no `.default()`/`.describe()` chains: strict structured output rejects them). */
  schema: z.ZodType<T>;
  /** Applied to the parsed JSON before the schema judges it: e.g. "MARA" read as the cast's "Mara Quill". */
  prepare?: (value: unknown) => unknown;
  offline: () => T;
}

/** How a node reaches its model. The runner binds it to the resolved provider, streaming and retries. */
export interface ModelCaller {
  /** True when the built-in offline writer answers: what it writes is a placeholder, and says so. */
  readonly offline: boolean;
  text(call: TextCall): Promise<string>;
  json<T>(call: JsonCall<T>): Promise<T>;
}

/** What a review node is given about the node it checks. */
export interface ReviewTarget {
  nodeId: string;
  type: string;
  slot: string;
  output: unknown;
  /**
   * Ask the target to rewrite itself with these notes; resolves to its new output (also stored as the target's
   * output). Scene writers rewrite only the scenes the notes name and keep every other scene as it was.
   */
  revise(notes: SceneNote[]): Promise<unknown>;
  /**
   * Ask the planning node the target's scene cards come from (its `scenes` slot, else its `outline`) to plan again
   * with these notes; resolves to that slot and its new output (also stored as the planner's output), and the next
   * `revise` writes from the new plan. Absent when the target has no planner, or when a person approves the plan.
   */
  replan?(notes: string[]): Promise<{ slot: string; output: unknown }>;
}

export interface NodeContext<Config> {
  nodeId: string;
  node: PipelineNode;
  /** Parsed config with `{{inputs.NAME}}` already substituted. */
  config: Config;
  inputs: RunInputs;
  memory: StoryMemory;
  /** Notes to act on when rewriting: a human's reject feedback or a reviewer's notes, oldest first. */
  feedback: string[];
  /** This node's previous output when it is asked to rewrite it. */
  previous?: unknown;
  /**
   * Set when a review asks for a revision: its notes by scene number (`feedback` holds the same notes as text,
   * for node types without scenes). Scenes no note names keep their previous text and are not re-prompted.
   */
  revisionNotes?: SceneNote[];
  model: ModelCaller;
  /**
   * Which of a node's `candidates` this run writes (0-based; absent for a single output). Offline writers salt
   * their seeds with it, so the offline model writes distinct variants of the same prompts.
   */
  variant?: number;
  /** Only for `review`: the node under review. */
  target?: ReviewTarget;
  signal: AbortSignal;
}

export type NodeCategory = 'plan' | 'write' | 'check' | 'custom' | 'output';

/** What a node type can do, beyond reading and writing slots: what the runner, validation and the editor ask. */
export interface NodeCapabilities {
  /** Calls a model (false for nodes assembled without one, such as export). */
  usesModel: boolean;
  /** Judges an ancestor named by `config.target` and sends it notes to rewrite on (review). */
  revisesTarget: boolean;
  /** Its output carries content-policy flags; a flagged output waits for a person, whatever the node's `approval`. */
  flagsPolicy: boolean;
  /** Its output is a finished document (`{ format, filename, content }`) a run saves as a file (export). */
  exportsDocument: boolean;
  /** Writes n alternatives when a node sets `candidates`. */
  writesCandidates: boolean;
  /** Takes a user-written prompt template (prompt). */
  userPrompt: boolean;
}

export interface NodeType<Config = any, Output = any> {
  type: string;
  title: string;
  description: string;
  category: NodeCategory;
  /** A strict object schema: unknown keys are errors. */
  configSchema: z.ZodType<Config>;
  /** What the node writes into its slot. A function when it depends on config (`prompt` with a JSON schema). */
  outputSchema: z.ZodType<Output> | ((config: Config) => z.ZodType<Output>);
  /** Slots read, given the node's (parsed) config. */
  reads(config: Config): SlotRead[];
  /** Run inputs read directly (the premise); `prompt` reads the `{{inputs.NAME}}` its template references. */
  readsInputs?: readonly InputRead[];
  /** The slot written by default; undefined when every node of this type must name its own `writes`. */
  writes: string | undefined;
  /** False for nodes that assemble without a model (export). */
  usesModel: boolean;
  /** How many model calls one execution makes, when more than one (a call per scene): budgets estimate with it. */
  plannedCalls?(config: Config, memory: StoryMemory): number;
  /** Config keys holding prompt templates that may reference `{{slot}}` and `{{inputs.NAME}}`. */
  templateFields?: readonly string[];
  /** What it can do beyond `usesModel` (each false when not given); read them through `capabilitiesOf`. */
  capabilities?: Partial<Omit<NodeCapabilities, 'usesModel'>>;
  /** The id a new node of this type gets in the editor (default: the type's name), e.g. `cast` for characters. */
  suggestedId?: string;
  run(ctx: NodeContext<Config>): Promise<Output>;
}

export function outputSchemaOf<C, O>(type: NodeType<C, O>, config: C): z.ZodType<O> {
  return typeof type.outputSchema === 'function' ? type.outputSchema(config) : type.outputSchema;
}

/** Every capability of a type, defaults filled in: a model-using type writes candidates unless it says otherwise. */
export function capabilitiesOf(type: Pick<NodeType, 'usesModel' | 'capabilities'>): NodeCapabilities {
  const given = type.capabilities ?? {};
  return {
    usesModel: type.usesModel,
    revisesTarget: given.revisesTarget ?? false,
    flagsPolicy: given.flagsPolicy ?? false,
    exportsDocument: given.exportsDocument ?? false,
    writesCandidates: given.writesCandidates ?? type.usesModel,
    userPrompt: given.userPrompt ?? false,
  };
}
