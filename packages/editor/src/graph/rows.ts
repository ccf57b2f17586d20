// Wraps a left-to-right layered layout onto rows, the way text wraps onto lines: a long pipeline laid out on one
// row is far wider than the canvas beside the panels and would only fit shrunk past reading. The number of rows
// is the one that shows the whole graph at the largest zoom the pane allows.
import { fitZoom, LEGIBLE_ZOOM, type Size } from './viewport';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}


/** Vertical room between rows: the edge that wraps back to the next row's start runs through it. */
export const ROW_GAP = 56;

/** The layout's columns, left to right: a node starting before the middle of the current column belongs to it. */
export function layersOf(boxes: Map<string, Box>): string[][] {
  const sorted = [...boxes.entries()].sort(([, a], [, b]) => a.x - b.x);
  const layers: Array<{ x: number; width: number; ids: string[] }> = [];
  for (const [id, box] of sorted) {
    const last = layers[layers.length - 1];
    if (last && box.x < last.x + last.width / 2) {
      last.ids.push(id);
      last.width = Math.max(last.width, box.width);
    } else layers.push({ x: box.x, width: box.width, ids: [id] });
  }
  return layers.map((layer) => layer.ids);
}

interface Arrangement {
  positions: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
}

/** Layers split into `rows` consecutive runs, each run starting at x = 0, stacked with ROW_GAP between them. */
function arrange(boxes: Map<string, Box>, layers: string[][], rows: number): Arrangement {
  const perRow = Math.ceil(layers.length / rows);
  const positions = new Map<string, { x: number; y: number }>();
  let top = 0;
  let width = 0;
  for (let start = 0; start < layers.length; start += perRow) {
    const members = layers.slice(start, start + perRow).flat().map((id) => [id, boxes.get(id)!] as const);
    const left = Math.min(...members.map(([, box]) => box.x));
    const rowTop = Math.min(...members.map(([, box]) => box.y));
    const rowBottom = Math.max(...members.map(([, box]) => box.y + box.height));
    for (const [id, box] of members) positions.set(id, { x: box.x - left, y: top + box.y - rowTop });
    width = Math.max(width, ...members.map(([, box]) => box.x + box.width - left));
    top += rowBottom - rowTop + ROW_GAP;
  }
  return { positions, width, height: top - ROW_GAP };
}

/**
 * New top-left positions for a layered left-to-right layout, wrapped onto the fewest rows that show it at a
 * legible zoom in `pane`, or else at the largest zoom any number of rows allows.
 */
export function wrapIntoRows(boxes: Map<string, Box>, pane: Size): Map<string, { x: number; y: number }> {
  const layers = layersOf(boxes);
  let best: { arrangement: Arrangement; zoom: number } | undefined;
  for (let rows = 1; rows <= layers.length; rows++) {
    // Splits that leave the same number of layers per row as a smaller count would are the same arrangement.
    if (rows > 1 && Math.ceil(layers.length / rows) === Math.ceil(layers.length / (rows - 1))) continue;
    const arrangement = arrange(boxes, layers, rows);
    // Beyond the legible zoom more rows are not worth a larger zoom: each extra row breaks the flow once more.
    const zoom = Math.min(LEGIBLE_ZOOM, fitZoom(arrangement, pane));
    if (!best || zoom > best.zoom + 1e-6) best = { arrangement, zoom };
  }
  return best?.arrangement.positions ?? new Map();
}
