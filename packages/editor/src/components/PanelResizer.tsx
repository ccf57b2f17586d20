// The handle on the side panel's left edge: dragged, or moved with the arrow keys, it sets the panel's width within
// the bounds that keep the canvas legible (lib/panelWidth.ts); double-clicked it gives the usual width back. When
// the width settles the canvas refits (or lays out again), keeping its text legible and the running or waiting
// nodes in view.
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { canvasResized } from '../store/documentActions';
import { editorStore } from '../store/state';
import { clampPanelWidth, maxPanelWidth, MIN_PANEL_WIDTH } from '../lib/panelWidth';

/** One arrow-key press moves the panel's edge this far. */
const KEY_STEP = 24;

function setPanelWidth(width: number): void {
  // A width the user chose replaces the wide presets (the Widen button gives them back).
  editorStore.setState({ panelWidth: clampPanelWidth(width, window.innerWidth), panelExpanded: false });
}

export function PanelResizer() {
  const handle = useRef<HTMLDivElement>(null);
  const drag = useRef<{ startX: number; startWidth: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  // The panel's width as shown (whatever set it), for the separator's value and the keyboard steps.
  const [shown, setShown] = useState(0);

  useEffect(() => {
    const panel = handle.current?.parentElement;
    if (!panel) return;
    const observer = new ResizeObserver(() => setShown(Math.round(panel.getBoundingClientRect().width)));
    observer.observe(panel);
    return () => observer.disconnect();
  }, []);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    const panel = handle.current?.parentElement;
    if (event.button !== 0 || !panel) return;
    event.preventDefault(); // no text selection while dragging
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { startX: event.clientX, startWidth: panel.getBoundingClientRect().width };
    setDragging(true);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (drag.current) setPanelWidth(drag.current.startWidth + drag.current.startX - event.clientX);
  };
  // Refitting on every step of a drag would make the graph swim under the pointer: once, when it ends.
  const endDrag = () => {
    if (!drag.current) return;
    drag.current = null;
    setDragging(false);
    canvasResized();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowLeft' ? KEY_STEP : event.key === 'ArrowRight' ? -KEY_STEP : 0;
    if (!step) return;
    event.preventDefault();
    setPanelWidth(shown + step);
    canvasResized();
  };
  const reset = () => {
    editorStore.setState({ panelWidth: null });
    canvasResized();
  };

  return (
    <div
      ref={handle}
      className={dragging ? 'panel-resizer dragging' : 'panel-resizer'}
      data-testid="panel-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="Side panel width"
      aria-valuenow={shown}
      aria-valuemin={MIN_PANEL_WIDTH}
      aria-valuemax={maxPanelWidth(window.innerWidth)}
      tabIndex={0}
      title="Drag to resize the panel (double-click: usual width)"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      onLostPointerCapture={endDrag}
      onKeyDown={onKeyDown}
      onDoubleClick={reset}
    />
  );
}
