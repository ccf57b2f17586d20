import { useEffect, useState } from 'react';
import { api, type PipelineVersionInfo } from '../api/client';
import { restoreVersion } from '../store/pipelineActions';
import { editorStore, useEditor } from '../store/state';
import { toastError } from '../store/toasts';
import { useEscape } from './useEscape';

const closeVersions = () => editorStore.setState({ versionsOpen: false });

export function VersionHistory() {
  const open = useEditor((s) => s.versionsOpen);
  const id = useEditor((s) => s.meta.id);
  const current = useEditor((s) => s.savedVersion);
  const [versions, setVersions] = useState<PipelineVersionInfo[] | null>(null);
  useEffect(() => {
    if (!open) return;
    setVersions(null);
    api
      .versions(id)
      .then((v) => setVersions([...v].sort((a, b) => b.version - a.version)))
      .catch((error) => {
        toastError('Could not load versions', error);
        editorStore.setState({ versionsOpen: false });
      });
  }, [open, id]);
  useEscape(open, closeVersions);
  if (!open) return null;
  const close = closeVersions;
  return (
    <div className="modal-backdrop" onClick={close}>
      <div className="modal small-modal" onClick={(e) => e.stopPropagation()} data-testid="version-history">
        <header className="modal-head">
          <h3>Versions of {id}</h3>
          <button className="icon" onClick={close} aria-label="Close">
            ×
          </button>
        </header>
        <div className="modal-body">
          {!versions && <p className="muted">Loading…</p>}
          <ul className="version-list">
            {versions?.map((v) => (
              <li key={v.version}>
                <strong>v{v.version}</strong>
                <span>
                  {v.name}
                  {v.valid === false && (
                    <span className="draft-mark" data-testid={`draft-mark-v${v.version}`} title="Saved with validation problems: it cannot be run">
                      draft · {v.problemCount} problem{v.problemCount === 1 ? '' : 's'}
                    </span>
                  )}
                </span>
                <span className="muted small">{new Date(v.createdAt).toLocaleString()}</span>
                {v.version === current ? <span className="muted small">open</span> : <button className="small" onClick={() => void restoreVersion(v.version)}>Restore</button>}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}
