// Version history of the open pipeline: restore one, or compare one with the open version (nodes, connections
// and settings added, removed or changed).
import { useEffect, useState } from 'react';
import type { Pipeline } from '@storyloom/engine';
import { api, type PipelineVersionInfo } from '../api/client';
import { AuditList } from './AuditList';
import { pipelineDiff } from '../lib/pipelineDiff';
import { restoreVersion } from '../store/pipelineActions';
import { editorStore, useEditor } from '../store/state';
import { toastError } from '../store/toasts';
import { StoryDiffView } from './StoryDiffView';
import { useEscape } from './useEscape';

const closeVersions = () => editorStore.setState({ versionsOpen: false });

export function VersionHistory() {
  const open = useEditor((s) => s.versionsOpen);
  const id = useEditor((s) => s.meta.id);
  const current = useEditor((s) => s.savedVersion);
  const [versions, setVersions] = useState<PipelineVersionInfo[] | null>(null);
  const [compared, setCompared] = useState<{ version: number; pair: [Pipeline, Pipeline] } | null>(null);
  const compare = (version: number) =>
    current !== null &&
    void Promise.all([api.getPipeline(id, Math.min(version, current)), api.getPipeline(id, Math.max(version, current))])
      .then(([older, newer]) => setCompared({ version, pair: [older.pipeline, newer.pipeline] }))
      .catch((error) => toastError('Could not load the versions to compare', error));
  useEffect(() => {
    if (!open) return;
    setVersions(null);
    setCompared(null);
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
      <div className="modal medium-modal" onClick={(e) => e.stopPropagation()} data-testid="version-history">
        <header className="modal-head">
          <h3>Versions of {id}</h3>
          <button className="icon" onClick={close} aria-label="Close">
            ×
          </button>
        </header>
        <div className="modal-body" tabIndex={0}>
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
                <span className="muted small">
                  {new Date(v.createdAt).toLocaleString()}
                  {v.savedBy && <span data-testid={`saved-by-v${v.version}`}> · {v.savedBy.name}</span>}
                </span>
                {v.version === current ? (
                  <span className="muted small">open</span>
                ) : (
                  <span className="row-actions">
                    <button className="small" data-testid={`compare-v${v.version}`} onClick={() => compare(v.version)}>
                      Compare
                    </button>
                    <button className="small" onClick={() => void restoreVersion(v.version)}>
                      Restore
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
          <AuditList pipelineId={id} />
          {compared && current !== null && (
            <StoryDiffView
              diff={pipelineDiff(compared.pair[0], compared.pair[1])}
              beforeLabel={`v${Math.min(compared.version, current)}`}
              afterLabel={`v${Math.max(compared.version, current)}`}
            />
          )}
        </div>
      </div>
    </div>
  );
}
