// The editor's one store: the pipeline being edited, its undo history, live validation, the catalogue,
// the run being watched and the toasts. Actions live beside it in actions/*.ts.
import type { ModelSpec, NodeStatus, PendingApproval, RunInputs, RunView, ValidationProblem } from '@storyloom/engine';
import type { Me, ModelInfo, NodeTypeInfo, PipelineSummary } from '../api/client';
import type { InboxItem } from './inboxActions';
import { type PipelineMeta, type StoryFlowEdge, type StoryFlowNode, toPipeline } from '../graph/convert';
import { validate } from '../lib/validation';
import type { ApprovalHistory } from './approvalHistory';
import { createStore, useStoreSelector } from './createStore';

export interface Snapshot {
  meta: PipelineMeta;
  nodes: StoryFlowNode[];
  edges: StoryFlowEdge[];
}

export interface ValidationView {
  errors: ValidationProblem[];
  byNode: Record<string, ValidationProblem[]>;
  byEdge: Record<string, ValidationProblem[]>;
}

/** The label of the call a node is streaming and the length its stream had when that call's text began. */
export interface CallStart {
  label: string | undefined;
  at: number;
}

export interface WatchedRun {
  id: string;
  view?: RunView;
  status: string;
  nodeStatus: Record<string, NodeStatus>;
  streams: Record<string, string>;
  /** Where each node's current model call began in its stream: a retry of that call starts its text over there. */
  callStarts: Record<string, CallStart>;
  outputs: Record<string, unknown>;
  pending: PendingApproval[];
  /** Each gate's drafts so far, with the feedback given on rejected ones. */
  approvals: ApprovalHistory;
  /** When each node last started and how long it took (from event timestamps). */
  timing: Record<string, { startedAt?: number; ms?: number }>;
  connected: boolean;
}

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
}

export interface Choice {
  title: string;
  message: string;
  options: Array<{ label: string; testId: string; kind?: 'primary' | 'danger'; action: () => void }>;
}

export type SidePanel = 'inspector' | 'pipeline' | 'run';

export interface EditorState extends Snapshot {
  catalogue: NodeTypeInfo[];
  models: ModelInfo[];
  pipelines: PipelineSummary[];
  /** Version the editor's document is based on; null until first saved. */
  savedVersion: number | null;
  dirty: boolean;
  past: Snapshot[];
  future: Snapshot[];
  validation: ValidationView;
  panel: SidePanel;
  runInputs: RunInputs;
  /** Model for the next run only (overrides node and pipeline models); undefined = as configured. */
  runModel: ModelSpec | undefined;
  run: WatchedRun | null;
  runHistory: RunView[];
  toasts: Toast[];
  /** Pending approvals across every run and pipeline, kept fresh by polling. */
  inbox: InboxItem[];
  inboxOpen: boolean;
  shortcutsOpen: boolean;
  /** The side panel spread over most of the window, for reading drafts (tables, screenplay pages). */
  panelExpanded: boolean;
  /** The side panel's width as the user dragged it (px, kept within bounds); null: the usual width for what it shows. */
  panelWidth: number | null;
  /** A document opened without positions is being laid out: the canvas hides its provisional places till then. */
  layingOut: boolean;
  /**
   * The document's places were chosen by the editor when it was opened (none were stored) and not by the user
   * since: while it is unedited, a canvas that changes size gets a layout shaped to it again.
   */
  autoPlaced: boolean;
  /** A question the editor is asking before it acts (run unsaved edits? cancel the run?). */
  choice: Choice | null;
  outputOpen: boolean;
  versionsOpen: boolean;
  /** What the editor is waiting for (opening, saving), shown on the buttons it blocks. */
  busy: string | null;
  /** Who the editor is signed in as; null until the server has said. */
  me: Me | null;
}

/** A new pipeline names no model: its runs use the server's STORYLOOM_MODEL, else the offline writer. */
export function newPipelineMeta(): PipelineMeta {
  const suffix = Math.random().toString(36).slice(2, 7);
  return {
    format: 'storyloom/pipeline@1',
    id: `pipeline-${suffix}`,
    name: 'Untitled pipeline',
    inputs: { premise: { type: 'text', required: true, description: 'One or two sentences.' } },
  } as PipelineMeta;
}

const openingMeta = newPipelineMeta();

export const editorStore = createStore<EditorState>({
  meta: openingMeta,
  nodes: [],
  edges: [],
  catalogue: [],
  models: [],
  pipelines: [],
  savedVersion: null,
  dirty: false,
  past: [],
  future: [],
  // The pipeline the editor opens with (a new, empty one) is checked like any other.
  validation: validate(toPipeline(openingMeta, [], []), [], []),
  panel: 'pipeline',
  runInputs: {},
  runModel: undefined,
  run: null,
  runHistory: [],
  toasts: [],
  inbox: [],
  inboxOpen: false,
  shortcutsOpen: false,
  panelExpanded: false,
  panelWidth: null,
  layingOut: false,
  autoPlaced: false,
  choice: null,
  outputOpen: false,
  versionsOpen: false,
  busy: null,
  me: null,
});

export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStoreSelector(editorStore, selector);
}

