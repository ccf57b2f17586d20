import { useCallback, useEffect, useMemo, useRef, type DragEvent } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type NodeTypes } from '@xyflow/react';
import { addNode, onConnect, onEdgesChange, onNodesChange } from '../store/documentActions';
import { editorStore, useEditor } from '../store/state';
import { StoryNode } from './StoryNode';
import type { StoryFlowNode } from '../graph/convert';

export const PALETTE_MIME = 'application/x-storyloom-node-type';
const nodeTypes: NodeTypes = { story: StoryNode };
const FAR_ZOOM = 0.45; // below: ids and slots are unreadable anyway
const VERY_FAR_ZOOM = 0.22; // below: titles too; nodes show as coloured blocks

const MINIMAP_COLORS: Record<string, string> = {
  completed: '#3fb27f',
  reused: '#6f8fb5',
  running: '#e0a93b',
  waiting: '#c97bdb',
  failed: '#e5534b',
};

/** Clicking a node opens its settings, except while the Run tab shows that node's output. */
function showInspectorUnlessRunning(): void {
  if (editorStore.getState().panel === 'pipeline') editorStore.setState({ panel: 'inspector' });
}

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const rawEdges = useEditor((s) => s.edges);
  const byEdge = useEditor((s) => s.validation.byEdge);
  const run = useEditor((s) => s.run);
  const flow = useReactFlow();
  const container = useRef<HTMLDivElement>(null);
  // Zoomed far out, nodes drop their small print (a CSS class, no re-render): less to paint per frame.
  const onMove = useCallback((_: unknown, viewport: { zoom: number }) => {
    container.current?.classList.toggle('zoomed-out', viewport.zoom < FAR_ZOOM);
    container.current?.classList.toggle('zoomed-far', viewport.zoom < VERY_FAR_ZOOM);
  }, []);

  const edges = useMemo(
    () =>
      rawEdges.map((edge) => {
        const problems = byEdge[edge.id];
        const targetRunning = run?.nodeStatus[edge.target] === 'running';
        if (!problems && !targetRunning) return edge;
        return {
          ...edge,
          className: problems ? 'edge-problem' : undefined,
          animated: targetRunning,
          label: problems ? `⚠ ${problems[0].message}` : undefined,
        };
      }),
    [rawEdges, byEdge, run?.nodeStatus],
  );

  useEffect(() => {
    // Fit once the new nodes have been measured (a frame later), not on every node added by hand.
    const fit = () => setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1.1, duration: 200 }), 60);
    window.addEventListener('storyloom:fit-view', fit);
    return () => window.removeEventListener('storyloom:fit-view', fit);
  }, [flow]);

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
      addNode(type, { x: point.x - 110, y: point.y - 40 });
    },
    [flow],
  );

  return (
    <div className="canvas" ref={container} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<StoryFlowNode>
        nodes={nodes}
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
        minZoom={0.05}
        proOptions={{ hideAttribution: true }}
        defaultEdgeOptions={{ type: 'default' }}
      >
        <Background gap={24} size={1} color="#2c3442" />
        <MiniMap
          pannable
          zoomable
          nodeColor={(node) => MINIMAP_COLORS[run?.nodeStatus[node.id] ?? ''] ?? '#4a5568'}
          maskColor="rgba(12, 15, 20, 0.7)"
        />
        <Controls showInteractive={false} />
      </ReactFlow>
      {nodes.length === 0 && (
        <div className="canvas-empty">
          <h2>Start a story pipeline</h2>
          <p>Drag node types from the palette onto the canvas (or click one), then connect them left to right.</p>
        </div>
      )}
    </div>
  );
}
