// Auto-layout: elkjs layered algorithm, left → right, like a story flowing from premise to script, then wrapped
// onto rows to suit the canvas it is shown on.
import type { ELK as ElkInstance } from 'elkjs/lib/elk-api';
import type { StoryFlowEdge, StoryFlowNode } from './convert';
import { wrapIntoRows, type Box } from './rows';
import type { Size } from './viewport';

// elkjs is large (≈1.4 MB): load it on the first layout, not with the editor.
let elkInstance: Promise<ElkInstance> | undefined;
const loadElk = () => (elkInstance ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default()));
export const NODE_WIDTH = 200; // .story-node's width in styles.css
export const NODE_HEIGHT = 96;
/** Horizontal room between one layer of the layout and the next. */
export const LAYER_GAP = 40;

/** Top-left positions by node id; with `pane`, wrapped onto the rows that show the whole graph largest in it. */
export async function layoutGraph(nodes: StoryFlowNode[], edges: StoryFlowEdge[], pane?: Size): Promise<Map<string, { x: number; y: number }>> {
  const elk = await loadElk();
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
      'elk.spacing.nodeNode': '28',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((node) => ({
      id: node.id,
      width: node.measured?.width ?? NODE_WIDTH,
      height: node.measured?.height ?? NODE_HEIGHT,
    })),
    edges: edges
      .filter((edge) => edge.source !== edge.target)
      .map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
  });
  const boxes = new Map<string, Box>(
    (result.children ?? []).map((child) => [child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? NODE_WIDTH, height: child.height ?? NODE_HEIGHT }]),
  );
  return pane ? wrapIntoRows(boxes, pane) : new Map([...boxes].map(([id, box]) => [id, { x: box.x, y: box.y }]));
}
