// The view a pipeline opens at (and is refitted to when the canvas changes size): the whole graph when it fits at
// a legible zoom, else legible and showing the part that matters (the running or waiting nodes, else the
// selection, else the graph's start), the rest a pan away. A plain fit view would shrink a long pipeline, or any
// pipeline beside a widened panel, until its text is a few pixels high. An ended run is the exception the canvas
// makes (Canvas.tsx): it is read as a whole, so its fit may go below the legible zoom (`leastZoom`).
import type { Rect, Viewport } from '@xyflow/react';

/**
 * The lowest zoom an automatic fit uses: the smallest text on a node (13 px, `--node-text` in styles.css) still
 * shows at 11 px on screen there. Below it a fit would trade reading for overview, which the fit-view control
 * (and zooming out by hand) still offers on request.
 */
export const LEGIBLE_ZOOM = 0.85;
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

/**
 * The graph (`bounds`) fitted to the pane at no less than `leastZoom` (the legible zoom unless told otherwise).
 * Along an axis where it does not fit, `focus` (the nodes the user is following) is centred, or shown from its
 * start when it is itself too long, but never so far that the view runs past the graph's ends into empty canvas;
 * without a focus the graph's start shows.
 */
export function readableViewport(bounds: Rect, pane: Size, padding = FIT_PADDING, focus?: Rect, leastZoom = LEGIBLE_ZOOM): Viewport {
  const room = roomIn(pane, padding);
  const zoom = Math.max(leastZoom, fitZoom(bounds, pane, padding));
  const offset = (paneSize: number, roomSize: number, start: number, size: number, focusStart?: number, focusSize?: number) => {
    if (size * zoom <= roomSize) return (paneSize - size * zoom) / 2 - start * zoom;
    const graphStartShown = padding - start * zoom;
    if (focusStart === undefined || focusSize === undefined) return graphStartShown;
    const graphEndShown = paneSize - padding - (start + size) * zoom;
    const wanted = focusSize * zoom <= roomSize ? (paneSize - focusSize * zoom) / 2 - focusStart * zoom : padding - focusStart * zoom;
    return Math.min(graphStartShown, Math.max(graphEndShown, wanted));
  };
  return {
    x: offset(pane.width, room.width, bounds.x, bounds.width, focus?.x, focus?.width),
    y: offset(pane.height, room.height, bounds.y, bounds.height, focus?.y, focus?.height),
    zoom,
  };
}
