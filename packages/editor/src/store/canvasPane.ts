// The canvas pane's size on screen, so an auto-layout can be shaped to the space it will be shown in. The canvas
// registers its element and the size is measured when asked: a layout made just after a panel changed width gets
// the new width, not the last one an observer reported. Before the canvas is there, the window less the side
// panels stands in.
import { usablePane, type Size } from '../graph/viewport';
import { DEFAULT_PANEL_WIDTH, SIDEBAR_WIDTH } from '../lib/panelWidth';

/** Side panels' usual widths, for the estimate before the canvas is measured. */
const PANELS_WIDTH = SIDEBAR_WIDTH + DEFAULT_PANEL_WIDTH;
const TOP_BAR_HEIGHT = 48;

let canvasElement: HTMLElement | undefined;

/** The canvas's element while it is mounted (null when it goes). */
export function setCanvasElement(element: HTMLElement | null): void {
  canvasElement = element ?? undefined;
}

/** The part of the pane a layout is shaped to (the minimap's strip left out). */
export function canvasPane(): Size {
  const box = canvasElement?.getBoundingClientRect();
  const measured = box && box.width > 0 && box.height > 0 ? { width: box.width, height: box.height } : undefined;
  return usablePane(measured ?? { width: Math.max(320, window.innerWidth - PANELS_WIDTH), height: Math.max(240, window.innerHeight - TOP_BAR_HEIGHT) });
}
