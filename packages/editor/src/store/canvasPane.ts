// The canvas pane's size on screen, kept up to date by the canvas, so an auto-layout can be shaped to the space
// it will be shown in. Before the canvas has measured itself, the window less the side panels stands in.
import { usablePane, type Size } from '../graph/viewport';

/** Side panels' usual widths (styles.css), for the estimate before the canvas is measured. */
const PANELS_WIDTH = 248 + 360;
const TOP_BAR_HEIGHT = 48;

let measured: Size | undefined;

export function setCanvasPane(size: Size): void {
  if (size.width > 0 && size.height > 0) measured = size;
}

/** The part of the pane a layout is shaped to (the minimap's strip left out). */
export function canvasPane(): Size {
  return usablePane(measured ?? { width: Math.max(320, window.innerWidth - PANELS_WIDTH), height: Math.max(240, window.innerHeight - TOP_BAR_HEIGHT) });
}
