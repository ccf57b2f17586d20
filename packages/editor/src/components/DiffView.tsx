// Two runs' outputs of one node compared as a story: scene by scene, character by character, beat by beat.
import { useEffect, useMemo, useState } from 'react';
import { type RunView, screenplaySceneText } from '@storyloom/engine';
import { api } from '../api/client';
import { storyDiff } from '../lib/storyDiff';
import { useEditor } from '../store/state';
import { toastError } from '../store/toasts';
import { StoryDiffView } from './StoryDiffView';

export function DiffView({ runIds }: { runIds: [string, string] }) {
  const [runs, setRuns] = useState<[RunView, RunView] | null>(null);
  const [nodeId, setNodeId] = useState<string>('');
  const nodes = useEditor((s) => s.nodes);
  useEffect(() => {
    let live = true;
    Promise.all(runIds.map((id) => api.getRun(id)))
      .then((pair) => {
        if (!live) return;
        const [a, b] = pair.sort((x, y) => x.createdAt.localeCompare(y.createdAt)); // older first
        setRuns([a, b]);
        const shared = Object.keys(a.nodes).filter((id) => b.nodes[id]?.output !== undefined && a.nodes[id]?.output !== undefined);
        setNodeId((current) => (shared.includes(current) ? current : shared[shared.length - 1] ?? ''));
      })
      .catch((error) => toastError('Could not load runs to compare', error));
    return () => {
      live = false;
    };
  }, [runIds[0], runIds[1]]);
  const node = nodes.find((n) => n.id === nodeId);
  const diff = useMemo(() => {
    if (!runs || !nodeId) return null;
    return storyDiff(node?.data.type, runs[0].nodes[nodeId]?.output, runs[1].nodes[nodeId]?.output, screenplaySceneText);
  }, [runs, nodeId, node?.data.type]);
  if (!runs) return <p className="muted small">Loading…</p>;
  const labelOf = (id: string) => nodes.find((n) => n.id === id)?.data.label ?? id;
  return (
    <div className="run-diff">
      <label className="diff-head">
        <span className="small">Compare</span>
        <select value={nodeId} onChange={(e) => setNodeId(e.target.value)} aria-label="node to compare" data-testid="diff-node">
          {Object.keys(runs[0].nodes).map((id) => (
            <option key={id} value={id}>
              {labelOf(id)}
            </option>
          ))}
        </select>
      </label>
      {diff && <StoryDiffView diff={diff} beforeLabel={`run ${runs[0].id.slice(0, 8)}`} afterLabel={`run ${runs[1].id.slice(0, 8)}`} />}
    </div>
  );
}
