// Edits to the pipeline document: every discrete change goes through `commit`, which records undo
// history, marks the document dirty and re-runs validation.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import type { Pipeline, ProblemFix } from '@storyloom/engine';
import {
  edgeIdOf,
  fromPipeline,
  toPipeline,
  uniqueNodeId,
  type PipelineMeta,
  type StoryFlowEdge,
  type StoryFlowNode,
  type StoryNodeData,
} from '../graph/convert';
import { layoutGraph } from '../graph/layout';
import { validate } from '../lib/validation';
import { canvasPane } from './canvasPane';
import { requestFit } from './fitRequest';
import { editorStore, type EditorState, type Snapshot } from './state';

const HISTORY_LIMIT = 100;

const snapshotOf = (s: EditorState): Snapshot => ({ meta: s.meta, nodes: s.nodes, edges: s.edges });

export function currentPipeline(state: EditorState = editorStore.getState()): Pipeline {
  return toPipeline(state.meta, state.nodes, state.edges);
}

function validated(snapshot: Snapshot) {
  return validate(toPipeline(snapshot.meta, snapshot.nodes, snapshot.edges), snapshot.nodes, snapshot.edges);
}

/** Coalesces rapid edits of one field (typing) into a single undo step. */
let lastCoalesceKey: string | undefined;
let lastCoalesceAt = 0;

export function commit(change: (s: EditorState) => Partial<Snapshot>, options: { coalesce?: string; revalidate?: boolean } = {}): void {
  editorStore.setState((s) => {
    const next = { ...snapshotOf(s), ...change(s) };
    const now = Date.now();
    const merge = options.coalesce !== undefined && options.coalesce === lastCoalesceKey && now - lastCoalesceAt < 1000;
    lastCoalesceKey = options.coalesce;
    lastCoalesceAt = now;
    return {
      ...next,
      past: merge ? s.past : [...s.past, snapshotOf(s)].slice(-HISTORY_LIMIT),
      future: [],
      dirty: true,
      validation: options.revalidate === false ? s.validation : validated(next),
    };
  });
}

export function undo(): void {
  editorStore.setState((s) => {
    const previous = s.past[s.past.length - 1];
    if (!previous) return {};
    lastCoalesceKey = undefined;
    return { ...previous, past: s.past.slice(0, -1), future: [snapshotOf(s), ...s.future], dirty: true, validation: validated(previous) };
  });
}

export function redo(): void {
  editorStore.setState((s) => {
    const next = s.future[0];
    if (!next) return {};
    lastCoalesceKey = undefined;
    return { ...next, past: [...s.past, snapshotOf(s)], future: s.future.slice(1), dirty: true, validation: validated(next) };
  });
}

/** Replaces the whole document (open, new, import, restore): clears history. */
export function loadDocument(pipeline: Pipeline, savedVersion: number | null, options: { dirty?: boolean } = {}): void {
  const { meta, nodes, edges, positioned } = fromPipeline(pipeline);
  const snapshot = { meta, nodes, edges };
  editorStore.setState({
    ...snapshot,
    savedVersion,
    dirty: options.dirty ?? false,
    past: [],
    future: [],
    validation: validated(snapshot),
    runInputs: defaultInputs(meta),
    layingOut: !positioned && nodes.length > 0,
    autoPlaced: !positioned && nodes.length > 0,
  });
  if (!positioned && nodes.length) void autoLayout({ record: false });
  else requestFit();
}

export function defaultInputs(meta: PipelineMeta): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const [name, definition] of Object.entries(meta.inputs ?? {})) {
    if (definition.default !== undefined) values[name] = definition.default;
  }
  return values;
}

// ---- React Flow change handlers -------------------------------------------------------------------

let dragStart: Snapshot | null = null;

/**
 * React Flow reports one deletion as separate edge and node changes (not always in the same task); a key
 * shared by removals within 250 ms makes them one undo step.
 */
let removalBatch = 0;
let lastRemovalAt = 0;
function removalKey(): string {
  const now = Date.now();
  if (now - lastRemovalAt > 250) removalBatch++;
  lastRemovalAt = now;
  return `remove:${removalBatch}`;
}

export function onNodesChange(changes: NodeChange<StoryFlowNode>[]): void {
  const removes = changes.some((c) => c.type === 'remove');
  const dragging = changes.some((c) => c.type === 'position' && c.dragging);
  const dragEnded = changes.some((c) => c.type === 'position' && c.dragging === false);
  const s = editorStore.getState();
  if (dragging && !dragStart) dragStart = snapshotOf(s);
  if (removes) {
    const removed = new Set(changes.filter((c) => c.type === 'remove').map((c) => (c as { id: string }).id));
    commit((st) => ({
      nodes: applyNodeChanges(changes, st.nodes),
      edges: st.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
    }), { coalesce: removalKey() });
    return;
  }
  const nodes = applyNodeChanges(changes, s.nodes);
  if (dragEnded && dragStart) {
    const before = dragStart;
    dragStart = null;
    editorStore.setState((st) => ({ nodes, past: [...st.past, before].slice(-HISTORY_LIMIT), future: [], dirty: true }));
    return;
  }
  editorStore.setState({ nodes });
}

export function onEdgesChange(changes: EdgeChange<StoryFlowEdge>[]): void {
  if (changes.some((c) => c.type === 'remove')) commit((s) => ({ edges: applyEdgeChanges(changes, s.edges) }), { coalesce: removalKey() });
  else editorStore.setState((s) => ({ edges: applyEdgeChanges(changes, s.edges) }));
}

export function onConnect(connection: Connection): void {
  const { source, target } = connection;
  if (!source || !target) return;
  const s = editorStore.getState();
  if (s.edges.some((e) => e.source === source && e.target === target)) return;
  commit((st) => ({ edges: [...st.edges, { id: edgeIdOf(source, target), source, target, data: {} }] }));
}

/** Applies the change a validation problem offers (an edge from the node that writes what another needs), undoably. */
export function applyProblemFix(fix: ProblemFix): void {
  if (fix.kind === 'connect') onConnect({ source: fix.source, target: fix.target, sourceHandle: null, targetHandle: null });
}

// ---- Node edits -------------------------------------------------------------------------------------

export function addNode(type: string, position?: XYPosition): string {
  const s = editorStore.getState();
  const info = s.catalogue.find((t) => t.type === type);
  const id = uniqueNodeId(info?.suggestedId ?? type, new Set(s.nodes.map((n) => n.id)));
  const data: StoryNodeData = { type };
  if (info && !info.writes) data.writes = uniqueSlot(id);
  const at = position ?? nextFreePosition(s.nodes);
  commit((st) => ({
    nodes: [...st.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { id, type: 'story', position: at, data, selected: true }],
  }));
  editorStore.setState({ panel: 'inspector' });
  return id;
}

const uniqueSlot = (id: string) => id.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^[^a-zA-Z_]/, '_');

function nextFreePosition(nodes: StoryFlowNode[]): XYPosition {
  if (!nodes.length) return { x: 0, y: 0 };
  const right = Math.max(...nodes.map((n) => n.position.x));
  const top = Math.min(...nodes.map((n) => n.position.y));
  return { x: right + 280, y: top };
}

export function updateNodeData(id: string, patch: Partial<StoryNodeData>, coalesce?: string): void {
  commit(
    (s) => ({
      nodes: s.nodes.map((n) => {
        if (n.id !== id) return n;
        const data = { ...n.data, ...patch };
        for (const key of Object.keys(patch)) if (data[key] === undefined) delete data[key];
        return { ...n, data };
      }),
    }),
    { coalesce },
  );
}

export function updateNodeConfig(id: string, key: string, value: unknown): void {
  const node = editorStore.getState().nodes.find((n) => n.id === id);
  if (!node) return;
  const config = { ...(node.data.config ?? {}) };
  if (value === undefined) delete config[key];
  else config[key] = value;
  updateNodeData(id, { config: Object.keys(config).length ? config : undefined }, `config:${id}:${key}`);
}

/** Renames a node and every edge and review target that names it. */
export function renameNode(oldId: string, newId: string): void {
  if (oldId === newId) return;
  commit((s) => ({
    nodes: s.nodes.map((n) => {
      const renamed = n.id === oldId ? { ...n, id: newId } : n;
      const config = renamed.data.config;
      if (config && config.target === oldId) return { ...renamed, data: { ...renamed.data, config: { ...config, target: newId } } };
      return renamed;
    }),
    edges: s.edges.map((e) =>
      e.source === oldId || e.target === oldId
        ? {
            ...e,
            source: e.source === oldId ? newId : e.source,
            target: e.target === oldId ? newId : e.target,
            id: edgeIdOf(e.source === oldId ? newId : e.source, e.target === oldId ? newId : e.target),
          }
        : e,
    ),
  }));
}

export function updateMeta(patch: Partial<PipelineMeta>, coalesce?: string): void {
  commit(
    (s) => {
      const meta = { ...s.meta, ...patch } as PipelineMeta;
      for (const key of Object.keys(patch) as Array<keyof PipelineMeta>) if (meta[key] === undefined) delete meta[key];
      return { meta };
    },
    { coalesce },
  );
}

export function deleteSelection(): void {
  const s = editorStore.getState();
  const removed = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  if (!removed.size && !s.edges.some((e) => e.selected)) return;
  commit((st) => ({
    nodes: st.nodes.filter((n) => !removed.has(n.id)),
    edges: st.edges.filter((e) => !e.selected && !removed.has(e.source) && !removed.has(e.target)),
  }));
}

export function selectAll(): void {
  editorStore.setState((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })), edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) }));
}

/** Selects one node; the inspector opens unless `stayInPanel` (choosing a stage's output in the run panel). */
export function selectNode(id: string | null, options: { stayInPanel?: boolean } = {}): void {
  editorStore.setState((s) => ({
    nodes: s.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
    edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    panel: id && !options.stayInPanel ? 'inspector' : s.panel,
  }));
}

export function selectEdge(id: string): void {
  editorStore.setState((s) => ({
    nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
    edges: s.edges.map((e) => (e.selected === (e.id === id) ? e : { ...e, selected: e.id === id })),
  }));
}

// ---- Clipboard ----------------------------------------------------------------------------------------

let clipboard: { nodes: StoryFlowNode[]; edges: StoryFlowEdge[] } | null = null;

export function copySelection(): number {
  const s = editorStore.getState();
  const nodes = s.nodes.filter((n) => n.selected);
  const ids = new Set(nodes.map((n) => n.id));
  clipboard = { nodes, edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
  return nodes.length;
}

/** Pastes copies with fresh ids, offset from the originals, and selects them. */
export function paste(): void {
  if (!clipboard?.nodes.length) return;
  const copied = clipboard;
  commit((s) => {
    const taken = new Set(s.nodes.map((n) => n.id));
    const renamed = new Map<string, string>();
    const nodes = copied.nodes.map((n) => {
      const id = uniqueNodeId(n.id.replace(/-\d+$/, ''), taken);
      taken.add(id);
      renamed.set(n.id, id);
      const data = { ...n.data };
      if (data.writes) data.writes = uniqueSlot(id); // two nodes writing one slot would be invalid
      return { ...n, id, data, selected: true, position: { x: n.position.x + 40, y: n.position.y + 60 } };
    });
    const edges = copied.edges.map((e) => {
      const source = renamed.get(e.source)!;
      const target = renamed.get(e.target)!;
      return { id: edgeIdOf(source, target), source, target, data: {} };
    });
    return { nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes], edges: [...s.edges, ...edges] };
  });
}

// ---- Layout --------------------------------------------------------------------------------------------

/**
 * The canvas changed width (a side panel widened, narrowed or was dragged): a document the editor placed itself
 * on opening, still unedited, is laid out again for the canvas it is now shown in; any other keeps its places
 * and is refitted (at a legible zoom, the rest a pan away).
 */
export function canvasResized(): void {
  const placesAreTheEditors = () => {
    const s = editorStore.getState();
    return s.autoPlaced && !s.dirty && s.past.length === 0 && s.nodes.length > 0;
  };
  if (!placesAreTheEditors()) return requestFit();
  // The panel often widens in the render that shows a run's statuses, which make nodes taller: a layout now would
  // use the heights from before and stack them into each other. React Flow reports new sizes within a frame of
  // the render (its ResizeObserver); two frames on, the layout has them (unless the user has moved a node since).
  const layOutAgain = () => (placesAreTheEditors() ? void autoLayout({ record: false }) : requestFit());
  requestAnimationFrame(() => requestAnimationFrame(layOutAgain));
}

/** Counts layouts started: one overtaken by a newer one (the canvas changed size meanwhile) is not applied. */
let layoutsStarted = 0;

export async function autoLayout(options: { record?: boolean } = {}): Promise<void> {
  const s = editorStore.getState();
  const started = ++layoutsStarted;
  // Asked for by the user: the places are theirs from now on (kept, saved), not the editor's to redo.
  if (options.record !== false) editorStore.setState({ autoPlaced: false });
  const positions = await layoutGraph(s.nodes, s.edges, canvasPane()).catch((error: unknown) => {
    editorStore.setState({ layingOut: false });
    throw error;
  });
  if (started !== layoutsStarted) return;
  const apply = (st: EditorState) => ({
    nodes: st.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)),
  });
  // Opening: the laid-out places and the canvas showing them arrive in one update.
  if (options.record === false) editorStore.setState((st) => ({ ...apply(st), layingOut: false }));
  else {
    commit(apply, { revalidate: false });
    editorStore.setState({ layingOut: false }); // an opening layout this one overtook is not there to end it
  }
  requestFit();
}
