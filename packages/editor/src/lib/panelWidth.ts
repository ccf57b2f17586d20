// How wide the side panel may be, dragged or at one of its preset widths (usual, widened for a run, Widen). Its
// width is the canvas's loss: past a point the canvas can only show the pipeline shrunk below legibility or one
// node at a time. So the panel stops where the canvas still holds two nodes side by side at the legible zoom, and
// that cap follows the window (a CSS calc), so a window made narrower later keeps the canvas's share too.
import { LAYER_GAP, NODE_WIDTH } from '../graph/layout';
import { FIT_PADDING, LEGIBLE_ZOOM } from '../graph/viewport';

/** The pipelines sidebar on the left (`.app` in styles.css). */
export const SIDEBAR_WIDTH = 248;
/** The side panel's usual width (`.app` in styles.css), before a run widens it or the user drags it. */
export const DEFAULT_PANEL_WIDTH = 360;
/** The panel's preset width while it shows a run: drafts need room to read. */
export const RUN_PANEL_WIDTH = 'min(520px, 38vw)';
/** The panel's width after Widen, for reading long drafts. */
export const EXPANDED_PANEL_WIDTH = 'min(1080px, 72vw)';
/** Narrower, the panel's forms and run controls wrap into unreadable columns. */
export const MIN_PANEL_WIDTH = 300;
/** The least canvas the panel leaves: two nodes and the gap between them at the legible zoom, with the fit's padding. */
export const MIN_CANVAS_WIDTH = Math.ceil((2 * NODE_WIDTH + LAYER_GAP) * LEGIBLE_ZOOM + 2 * FIT_PADDING);

/** The widest the panel may be dragged in a window this wide. */
export function maxPanelWidth(windowWidth: number): number {
  return Math.max(MIN_PANEL_WIDTH, Math.floor(windowWidth - SIDEBAR_WIDTH - MIN_CANVAS_WIDTH));
}

/** A dragged width brought within the bounds for a window this wide. */
export function clampPanelWidth(width: number, windowWidth: number): number {
  return Math.round(Math.min(maxPanelWidth(windowWidth), Math.max(MIN_PANEL_WIDTH, width)));
}

/**
 * The app grid's columns with the panel at a dragged width (px) or a preset (a CSS length), capped by the window's
 * width as it is now.
 */
export function columnsWithPanel(width: number | string): string {
  const wanted = typeof width === 'number' ? `${width}px` : width;
  const cap = `calc(100vw - ${SIDEBAR_WIDTH + MIN_CANVAS_WIDTH}px)`;
  return `${SIDEBAR_WIDTH}px minmax(0, 1fr) max(${MIN_PANEL_WIDTH}px, min(${wanted}, ${cap}))`;
}
