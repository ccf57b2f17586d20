// Two runs' outputs of one node, side by side as a line diff.
import { useEffect, useMemo, useState } from 'react';
import type { RunView } from '@storyloom/engine';
import { api } from '../api/client';
import { diffLines, outputText, sideBySide } from '../lib/diff';
import { toastError } from '../store/toasts';

export function DiffView({ runIds }: { runIds: [string, string] }) {
  const [runs, setRuns] = useState<[RunView, RunView] | null>(null);
  const [nodeId, setNodeId] = useState<string>('');
  useEffect(() => {
    let live = true;
    Promise.all(runIds.map((id) => api.getRun(id)))
      .then((pair) => {
        if (!live) return;
        const [a, b] = pair.sort((x, y) => x.createdAt.localeCompare(y.createdAt)); // older on the left
        setRuns([a, b]);
        const shared = Object.keys(a.nodes).filter((id) => b.nodes[id]?.output !== undefined && a.nodes[id]?.output !== undefined);
        setNodeId((current) => (shared.includes(current) ? current : shared[shared.length - 1] ?? ''));
      })
      .catch((error) => toastError('Could not load runs to compare', error));
    return () => {
      live = false;
    };
  }, [runIds[0], runIds[1]]);
  const rows = useMemo(() => {
    if (!runs || !nodeId) return [];
    return sideBySide(diffLines(outputText(runs[0].nodes[nodeId]?.output), outputText(runs[1].nodes[nodeId]?.output)));
  }, [runs, nodeId]);
  if (!runs) return <p className="muted small">Loading…</p>;
  const nodeIds = Object.keys(runs[0].nodes);
  const changed = rows.filter((r) => r.left?.changed || r.right?.changed).length;
  return (
    <div className="diff-view" data-testid="diff-view">
      <div className="diff-head">
        <select value={nodeId} onChange={(e) => setNodeId(e.target.value)} aria-label="node to compare">
          {nodeIds.map((id) => (
            <option key={id}>{id}</option>
          ))}
        </select>
        <span className="muted small">{changed ? `${changed} changed line${changed > 1 ? 's' : ''}` : 'identical'}</span>
      </div>
      <div className="diff-columns">
        <div className="diff-col-head">{runs[0].id.slice(0, 12)}</div>
        <div className="diff-col-head">{runs[1].id.slice(0, 12)}</div>
        {rows.map((row, i) => (
          <DiffRowView key={i} row={row} />
        ))}
      </div>
    </div>
  );
}

function DiffRowView({ row }: { row: ReturnType<typeof sideBySide>[number] }) {
  return (
    <>
      <div className={`diff-cell ${row.left?.changed ? 'del' : ''} ${row.left ? '' : 'empty'}`}>
        <span className="ln">{row.left?.line ?? ''}</span>
        {row.left?.text}
      </div>
      <div className={`diff-cell ${row.right?.changed ? 'add' : ''} ${row.right ? '' : 'empty'}`}>
        <span className="ln">{row.right?.line ?? ''}</span>
        {row.right?.text}
      </div>
    </>
  );
}
