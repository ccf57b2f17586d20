// `?` lists the keyboard shortcuts.
import { editorStore, useEditor } from '../store/state';
import { useEscape } from './useEscape';

const close = () => editorStore.setState({ shortcutsOpen: false });

export const SHORTCUTS: Array<[string, string]> = [
  ['Ctrl+Enter', 'Run the pipeline'],
  ['Ctrl+S', 'Save a new version'],
  ['Ctrl+A', 'Select every node'],
  ['Ctrl+C / Ctrl+X / Ctrl+V', 'Copy, cut, paste nodes'],
  ['Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)', 'Undo / redo'],
  ['Delete / Backspace', 'Delete the selection'],
  ['Shift+drag, Shift/Ctrl+click', 'Select several nodes'],
  ['Escape', 'Close a dialog'],
  ['?', 'This list'],
];

export function ShortcutsHelp() {
  const open = useEditor((s) => s.shortcutsOpen);
  useEscape(open, close);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onClick={close}>
      <div className="modal small-modal" role="dialog" aria-labelledby="shortcuts-title" data-testid="shortcuts-help" onClick={(e) => e.stopPropagation()}>
        <header className="modal-head">
          <h3 id="shortcuts-title">Keyboard shortcuts</h3>
          <button className="icon" onClick={close} aria-label="Close">
            ×
          </button>
        </header>
        <div className="modal-body" tabIndex={0}>
          <table className="shortcuts">
            <tbody>
              {SHORTCUTS.map(([keys, what]) => (
                <tr key={keys}>
                  <td>
                    <kbd>{keys}</kbd>
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
