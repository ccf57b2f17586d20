// The pipeline canvas: React Flow with story nodes, edges (stepped when they wrap back to a new row), drag and
// drop from the palette, the minimap, and the fit to a legible view when a document is opened or laid out or the
// canvas is narrowed by the side panel, and to the whole graph when a run ends.
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type NodeTypes } from '@xyflow/react';
import { addNode, onConnect, onEdgesChange, onNodesChange } from '../store/documentActions';
import { setCanvasElement } from '../store/canvasPane';
import { fitHandled, onFitRequest, pendingFitSince, requestFit } from '../store/fitRequest';
import { runEnded } from '../lib/runFigures';
import { editorStore, useEditor } from '../store/state';
import { StoryNode } from './StoryNode';
import type { StoryFlowNode } from '../graph/convert';
import { NODE_WIDTH } from '../graph/layout';
import { MINIMAP_SIZE, readableViewport, usablePane } from '../graph/viewport';

/** Above this many nodes the canvas renders only the visible ones (small pipelines keep every node in the DOM). */
const LARGE_PIPELINE_NODES = 80;

export const PALETTE_MIME = 'application/x-storyloom-node-type';
const nodeTypes: NodeTypes = { story: StoryNode };
const FAR_ZOOM = 0.45; // below: ids and slots are unreadable anyway
const VERY_FAR_ZOOM = 0.22; // below: titles too; nodes show as coloured blocks
const MIN_ZOOM = 0.05; // the least the canvas zooms to, by hand or by a fit
/**
 * How long a fit waits for new nodes to be measured (it needs their sizes) before fitting with what it knows.
 * Generous: on a loaded machine the first measurement of a freshly opened document can take seconds, and a fit
 * that gave up would leave the document at the default viewport.
 */
const FIT_WAIT_MS = 10_000;

const MINIMAP_COLORS: Record<string, string> = {
  completed: '#3fb27f',
  reused: '#6f8fb5',
  running: '#e0a93b',
  waiting: '#c97bdb',
  failed: '#e5534b',
};

/** Run statuses that need the user's eye: a fit that cannot show the whole graph legibly shows these nodes. */
const FOLLOWED_STATUSES = new Set(['running', 'waiting']);

/**
 * The nodes a fit keeps in view when the graph does not fit: those running or waiting, else the selection. An
 * ended run has none running or waiting: a node still shown so is a status its last events have yet to update
 * (the run's own status can arrive first, from the run list), and following it would keep the graph cut off.
 */
function followedNodes<T extends { id: string; selected?: boolean }>(shown: T[]): T[] {
  const run = editorStore.getState().run;
  const status = run && !runEnded(run.status) ? run.nodeStatus : {};
  const active = shown.filter((node) => FOLLOWED_STATUSES.has(status[node.id] ?? ''));
  return active.length ? active : shown.filter((node) => node.selected);
}

/**
 * Whether the canvas shows an ended run. A fit then shows every node, below the legible zoom if it must (unless a
 * node is selected, which it keeps legible in view): the run's statuses are read together (what completed, failed
 * or was reused) and nothing moves any more to follow, so a legible part of the graph that cuts the rest off at
 * the pane's edges would hide what the user looks for.
 */
function endedRunShown(): boolean {
  const run = editorStore.getState().run;
  return !!run && runEnded(run.status);
}

/** Clicking a node opens its settings, except while the Run tab shows that node's output. */
function showInspectorUnlessRunning(): void {
  if (editorStore.getState().panel === 'pipeline') editorStore.setState({ panel: 'inspector' });
}

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const rawEdges = useEditor((s) => s.edges);
  const byEdge = useEditor((s) => s.validation.byEdge);
  const run = useEditor((s) => s.run);
  const savedCount = useEditor((s) => s.pipelines.length);
  const layingOut = useEditor((s) => s.layingOut);
  const flow = useReactFlow();
  const container = useRef<HTMLDivElement>(null);
  // Zoomed far out, nodes drop their small print (a CSS class, no re-render): less to paint per frame.
  const onMove = useCallback((_: unknown, viewport: { zoom: number }) => {
    container.current?.classList.toggle('zoomed-out', viewport.zoom < FAR_ZOOM);
    container.current?.classList.toggle('zoomed-far', viewport.zoom < VERY_FAR_ZOOM);
  }, []);

  // Browser tests read `data-status` on React Flow's own node element (the one with `data-id`), via `domAttributes`.
  // Only nodes with a status get a new object, so the rest keep their identity and do not re-render.
  const nodeStatus = run?.nodeStatus;
  const flowNodes = useMemo(
    () =>
      nodeStatus
        ? nodes.map((node) => {
            const status = nodeStatus[node.id];
            return status ? { ...node, domAttributes: { 'data-status': status } as StoryFlowNode['domAttributes'] } : node;
          })
        : nodes,
    [nodes, nodeStatus],
  );

  // Each node's left and right x, to spot edges that run backwards (a pipeline wrapped onto a second row).
  const spans = useMemo(
    () => new Map(nodes.map((node) => [node.id, { left: node.position.x, right: node.position.x + (node.measured?.width ?? NODE_WIDTH) }])),
    [nodes],
  );

  const edges = useMemo(
    () =>
      rawEdges.map((edge) => {
        const problems = byEdge[edge.id];
        const targetRunning = run?.nodeStatus[edge.target] === 'running';
        // Backwards, a curve would cut through the nodes between; a stepped line goes round them through the gap.
        const backwards = (spans.get(edge.target)?.left ?? 0) < (spans.get(edge.source)?.right ?? 0);
        if (!problems && !targetRunning && !backwards) return edge;
        return {
          ...edge,
          type: backwards ? 'smoothstep' : edge.type,
          className: problems ? 'edge-problem' : undefined,
          animated: targetRunning,
          label: problems ? `⚠ ${problems[0].message}` : undefined,
        };
      }),
    [rawEdges, byEdge, run?.nodeStatus, spans],
  );

  // Auto-layout shapes the graph to the pane it is shown in.
  useEffect(() => {
    setCanvasElement(container.current);
    return () => setCanvasElement(null);
  }, []);

  useEffect(() => {
    // Fit when a document is opened or laid out, or the panel beside the canvas changes width (not on every node
    // added by hand), once the flow has the new positions (a few frames later), every node is measured and the
    // viewport exists; never below a legible zoom, showing the running, waiting or selected nodes when not all of
    // the graph fits (the Controls' fit-view button still shows everything, however small), except for an ended
    // run, which shows whole (`endedRunShown`). A request made before
    // this subscription (a document opened before the canvas's first effects ran, or while `flow` changed
    // identity when its viewport was initialised) is picked up here too.
    let pending: number | undefined;
    let first: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const attempt = () => {
      pending = undefined;
      const requestedAt = pendingFitSince();
      if (disposed || requestedAt === undefined) return;
      const waited = performance.now() - requestedAt >= FIT_WAIT_MS;
      const again = () => {
        if (disposed || pendingFitSince() !== requestedAt) return; // superseded by a newer request or subscription
        if (waited) fitHandled(requestedAt);
        else pending = requestAnimationFrame(attempt);
      };
      // An empty document has nothing to fit: left outstanding, the request would move the view onto the first
      // node the user places (for up to FIT_WAIT_MS), under the pointer that is placing the next one.
      if (editorStore.getState().nodes.length === 0) return fitHandled(requestedAt);
      const pane = container.current?.getBoundingClientRect();
      const shown = flow.getNodes();
      // A large pipeline renders (and so measures) only the nodes on screen: it cannot wait for all of them.
      const measured = shown.every((node) => node.measured?.width) || shown.length > LARGE_PIPELINE_NODES;
      if (!pane || shown.length === 0 || !(measured || waited)) return again();
      const focus = followedNodes(shown);
      const wholeGraph = focus.length === 0 && endedRunShown();
      const view = readableViewport(flow.getNodesBounds(shown), usablePane(pane), undefined, focus.length ? flow.getNodesBounds(focus) : undefined, wholeGraph ? MIN_ZOOM : undefined);
      // `setViewport` answers false, moving nothing, while React Flow's viewport is not initialised yet.
      void flow.setViewport(view, { duration: 200 }).then((applied) => {
        if (applied) fitHandled(requestedAt);
        else again();
      });
    };
    const schedule = () => {
      if (pending !== undefined) cancelAnimationFrame(pending);
      clearTimeout(first);
      first = setTimeout(attempt, 50);
    };
    const unsubscribe = onFitRequest(schedule);
    if (pendingFitSince() !== undefined) schedule();
    return () => {
      disposed = true;
      unsubscribe();
      if (pending !== undefined) cancelAnimationFrame(pending);
      clearTimeout(first);
    };
  }, [flow]);

  // While a run goes on, a fit follows its running or waiting nodes and may leave the rest out of view; when it
  // ends (or an ended run is opened) nothing is left to follow, so the canvas shows the whole graph again.
  const endedRun = useEditor((s) => (s.run && runEnded(s.run.status) ? s.run.id : null));
  useEffect(() => {
    if (endedRun) requestFit();
  }, [endedRun]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_MIME);
      if (!type) return;
      event.preventDefault();
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(type, { x: point.x - NODE_WIDTH / 2, y: point.y - 40 });
    },
    [flow],
  );

  return (
    <div className={layingOut ? 'canvas laying-out' : 'canvas'} ref={container} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<StoryFlowNode>
        nodes={flowNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeClick={showInspectorUnlessRunning}
        onMove={onMove}
        onInit={(instance) => onMove(null, instance.getViewport())}
        isValidConnection={(c) => c.source !== c.target}
        deleteKeyCode={['Delete', 'Backspace']}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        defaultViewport={{ x: 40, y: 40, zoom: 0.9 }}
        minZoom={MIN_ZOOM}
        proOptions={{ hideAttribution: true }}
        defaultEdgeOptions={{ type: 'default' }}
        // Large pipelines: keep only what is on screen in the DOM, so panning repaints a bounded number of nodes.
        onlyRenderVisibleElements={nodes.length > LARGE_PIPELINE_NODES}
      >
        <Background gap={24} size={1} color="var(--line-2)" />
        <MiniMap
          pannable
          zoomable
          nodeColor={(node) => MINIMAP_COLORS[run?.nodeStatus[node.id] ?? ''] ?? '#4a5568'}
          maskColor="var(--minimap-mask)"
          style={MINIMAP_SIZE}
        />
        <Controls showInteractive={false} />
      </ReactFlow>
      {nodes.length === 0 && (
        <div className="canvas-empty">
          <h2>Start a story pipeline</h2>
          <p>Drag node types from the palette onto the canvas (or click one), then connect them left to right.</p>
          {savedCount > 0 && <p>Or open one of the saved pipelines on the left (a new server starts with the shipped examples).</p>}
        </div>
      )}
    </div>
  );
}
