// The top bar: the pipeline's name, id and saved version, marked when edited or when it has problems (a draft), the
// approvals inbox, who is signed in, and the toolbar (undo, redo, copy, paste, auto-layout, history, theme, shortcuts,
// Run, Save). Run is disabled with the reason as its tooltip; Save, which keeps a pipeline with problems as a draft,
// is disabled when nothing changed since the last save or the user's role may not change pipelines.
import { autoLayout, copySelection, paste, redo, undo } from '../store/documentActions';
import { save } from '../store/pipelineActions';
import { editorStore, useEditor } from '../store/state';
import { InboxButton } from './ApprovalsInbox';
import { ThemeToggle } from './ThemeToggle';
import { requestRun } from '../store/runActions';
import { runBlockedReason } from './RunConsole';
import { WhoAmI } from './WhoAmI';
import { roleNote } from '../store/me';

export function TopBar() {
  const name = useEditor((s) => s.meta.name);
  const id = useEditor((s) => s.meta.id);
  const version = useEditor((s) => s.savedVersion);
  const dirty = useEditor((s) => s.dirty);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const problems = useEditor((s) => s.validation.errors.length);
  const busy = useEditor((s) => s.busy);
  const unchanged = useEditor((s) => !s.dirty && s.savedVersion !== null);
  const runBlocked = useEditor((s) => runBlockedReason(s));
  const authorNote = useEditor((s) => roleNote(s, 'author'));
  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo">◈</span> Storyloom
      </div>
      <div className="doc-title">
        <span className="doc-name">{name}</span>
        <span className="doc-meta">
          {id} · {version === null ? 'not saved' : `v${version}`}
          {dirty && <span className="dirty" title="unsaved changes"> · edited</span>}
          {problems > 0 && <span className="draft-mark"> · draft</span>}
        </span>
      </div>
      <InboxButton />
      <WhoAmI />
      <div className="toolbar">
        <button className="ghost" onClick={undo} disabled={!canUndo} title="Undo (Ctrl+Z)">
          ↶
        </button>
        <button className="ghost" onClick={redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
          ↷
        </button>
        <button className="ghost" onClick={() => copySelection()} title="Copy selected nodes (Ctrl+C)">
          Copy
        </button>
        <button className="ghost" onClick={paste} title="Paste (Ctrl+V)">
          Paste
        </button>
        <button className="ghost" onClick={() => void autoLayout()} data-testid="layout-button" title="Arrange left to right">
          Auto-layout
        </button>
        <button className="ghost" onClick={() => editorStore.setState({ versionsOpen: true })} disabled={version === null} title="Version history">
          History
        </button>
        <ThemeToggle />
        <button className="ghost" data-testid="shortcuts-button" onClick={() => editorStore.setState({ shortcutsOpen: true })} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
          ?
        </button>
        <button data-testid="topbar-run" onClick={() => void requestRun()} disabled={!!runBlocked} title={runBlocked ?? 'Run this pipeline (Ctrl+Enter)'}>
          ▶ Run
        </button>
        <button className="primary" data-testid="save-button" onClick={() => void save()} disabled={!!busy || unchanged || !!authorNote} title={authorNote ? authorNote : unchanged ? 'Nothing changed since this version was saved' : problems > 0 ? 'Save as a new draft version: kept on the server, not runnable until its problems are fixed (Ctrl+S)' : 'Save as a new version (Ctrl+S)'}>
          {busy?.startsWith('Saving') ? busy : problems > 0 ? 'Save draft' : 'Save'}
        </button>
      </div>
    </header>
  );
}
