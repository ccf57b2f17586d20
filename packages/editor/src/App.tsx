// The editor's layout: top bar, sidebar, the canvas with its problems list, and the side panel (node, pipeline or run
// tab; resizable, and widened while a run is shown in it), plus the modals and toasts. Also the window-wide shortcuts:
// Ctrl+S saves and Ctrl+Enter runs even while typing; the rest (undo, redo, select all, copy, cut and paste of nodes,
// `?` for help) leave text fields and selected text alone.
import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { ApiKeyDialog } from './components/ApiKeyDialog';
import { ApprovalsInbox } from './components/ApprovalsInbox';
import { Canvas } from './components/Canvas';
import { Inspector } from './components/Inspector';
import { OutputViewer } from './components/OutputViewer';
import { PipelineSettings } from './components/PipelineSettings';
import { ProblemsList } from './components/ProblemsList';
import { RunConsole } from './components/RunConsole';
import { Sidebar } from './components/Sidebar';
import { Toasts } from './components/Toasts';
import { TopBar } from './components/TopBar';
import { VersionHistory } from './components/VersionHistory';
import { canvasResized, copySelection, deleteSelection, paste, redo, selectAll, undo } from './store/documentActions';
import { requestRun } from './store/runActions';
import { runBlockedReason } from './components/RunConsole';
import { ChoiceDialog } from './components/ChoiceDialog';
import { ShortcutsHelp } from './components/ShortcutsHelp';
import { PanelResizer } from './components/PanelResizer';
import { columnsWithPanel, DEFAULT_PANEL_WIDTH, EXPANDED_PANEL_WIDTH, RUN_PANEL_WIDTH } from './lib/panelWidth';
import { save } from './store/pipelineActions';
import { editorStore, useEditor, type SidePanel } from './store/state';

const PANELS: Array<{ id: SidePanel; title: string }> = [
  { id: 'inspector', title: 'Node' },
  { id: 'pipeline', title: 'Pipeline' },
  { id: 'run', title: 'Run' },
];

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable);
}

function useShortcuts() {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void save();
        return;
      }
      if (mod && event.key === 'Enter') {
        event.preventDefault();
        if (!runBlockedReason()) void requestRun();
        return;
      }
      if (isTyping(event.target)) return;
      if (event.key === '?' && !mod) {
        editorStore.setState({ shortcutsOpen: true });
        return;
      }
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === 'a' && editorStore.getState().nodes.length > 0) {
        // Every node rather than the page's text.
        event.preventDefault();
        selectAll();
        return;
      }
      // Copying selected text (an output, a message) keeps working as usual.
      if ((key === 'c' || key === 'x') && window.getSelection()?.toString()) return;
      if (key === 'z' && event.shiftKey) redo();
      else if (key === 'z' || key === 'y') (key === 'y' ? redo : undo)();
      else if (key === 'c') copySelection();
      else if (key === 'v') paste();
      else if (key === 'x') {
        if (copySelection()) deleteSelection();
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function App() {
  const panel = useEditor((s) => s.panel);
  const pendingCount = useEditor((s) => s.run?.pending.length ?? 0);
  const runStatus = useEditor((s) => s.run?.status);
  // Drafts need room to read: the run panel widens while a run is shown in it.
  const wide = useEditor((s) => s.panel === 'run' && s.run !== null);
  const expanded = useEditor((s) => s.panelExpanded);
  const panelWidth = useEditor((s) => s.panelWidth);
  // A width the user dragged, else the preset; either way within the cap that leaves the canvas its least width.
  const columns = columnsWithPanel(panelWidth ?? (expanded ? EXPANDED_PANEL_WIDTH : wide ? RUN_PANEL_WIDTH : DEFAULT_PANEL_WIDTH));
  useShortcuts();
  // The canvas changes width with the panel: fit (or lay out) the pipeline again once it has.
  useEffect(() => {
    const frame = requestAnimationFrame(() => canvasResized());
    return () => cancelAnimationFrame(frame);
  }, [wide, expanded]);
  return (
    <ReactFlowProvider>
      <div className="app" style={{ gridTemplateColumns: columns }}>
        <TopBar />
        <Sidebar />
        <main className="workspace">
          <Canvas />
          <ProblemsList />
        </main>
        <aside className="side-panel">
          <PanelResizer />
          <nav className="tabs">
            {PANELS.map((p) => (
              <button key={p.id} className={p.id === panel ? 'tab active' : 'tab'} data-testid={`tab-${p.id}`} onClick={() => editorStore.setState({ panel: p.id })}>
                {p.title}
                {p.id === 'run' && runStatus && <span className={`dot status-${runStatus}`} />}
                {p.id === 'run' && pendingCount > 0 && <span className="badge">{pendingCount}</span>}
              </button>
            ))}
            <button
              className="ghost small panel-expand"
              data-testid="panel-expand"
              aria-pressed={expanded}
              title={expanded ? 'Back to the usual width' : 'Widen this panel to read drafts'}
              onClick={() => editorStore.setState({ panelExpanded: !expanded, panelWidth: null })}
            >
              {expanded ? '⇥ Narrow' : '⇤ Widen'}
            </button>
          </nav>
          <div className="panel-body">
            {panel === 'inspector' && <Inspector />}
            {panel === 'pipeline' && <PipelineSettings />}
            {panel === 'run' && <RunConsole />}
          </div>
        </aside>
      </div>
      <ApprovalsInbox />
      <ChoiceDialog />
      <ShortcutsHelp />
      <OutputViewer />
      <VersionHistory />
      <ApiKeyDialog />
      <Toasts />
    </ReactFlowProvider>
  );
}
