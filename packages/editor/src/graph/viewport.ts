// The view a pipeline opens at: the whole graph when it fits at a readable zoom, else readable and anchored at
// its start (top-left), the rest a pan away. A plain fit view would shrink a long pipeline until its titles are
// a few pixels high.
import type { Rect, Viewport } from '@xyflow/react';

/** Below this zoom a node's title (14 px) is under ~9 px on screen. */
export const READABLE_ZOOM = 0.65;
/** Small pipelines are not blown up beyond their natural size. */
export const MAX_FIT_ZOOM = 1;
/** Screen pixels kept free around the graph. */
export const FIT_PADDING = 40;
/** The minimap's size on screen: small, since it only has to show where the view is in a long pipeline. */
export const MINIMAP_SIZE: Size = { width: 160, height: 100 };
/**
 * The strip along the pane's bottom, beyond the padding, that the minimap (15 px from the edge) covers: the graph
 * is fitted and laid out above it, so no node opens hidden behind the minimap.
 */
export const MINIMAP_ROOM = MINIMAP_SIZE.height + 15 - FIT_PADDING;

/** The part of the canvas a graph is fitted and laid out in: all of it but the minimap's strip. */
export const usablePane = (pane: Size): Size => ({ width: pane.width, height: Math.max(1, pane.height - MINIMAP_ROOM) });

export interface Size {
  width: number;
  height: number;
}

const roomIn = (pane: Size, padding: number): Size => ({ width: Math.max(1, pane.width - 2 * padding), height: Math.max(1, pane.height - 2 * padding) });

/** The zoom at which a graph of this size fits the pane (capped: small graphs are not blown up). */
export function fitZoom(graph: Size, pane: Size, padding = FIT_PADDING): number {
  const room = roomIn(pane, padding);
  return Math.min(MAX_FIT_ZOOM, room.width / Math.max(1, graph.width), room.height / Math.max(1, graph.height));
}

export function readableViewport(bounds: Rect, pane: Size, padding = FIT_PADDING): Viewport {
  const room = roomIn(pane, padding);
  const zoom = Math.max(READABLE_ZOOM, fitZoom(bounds, pane, padding));
  // Per axis: centred when the graph fits, else its start at the padding.
  const offset = (paneSize: number, roomSize: number, start: number, size: number) =>
    size * zoom <= roomSize ? (paneSize - size * zoom) / 2 - start * zoom : padding - start * zoom;
  return {
    x: offset(pane.width, room.width, bounds.x, bounds.width),
    y: offset(pane.height, room.height, bounds.y, bounds.height),
    zoom,
  };
}
