// Every validation problem at once; clicking one selects the node or edge it is about, and a problem with a fix
// (an edge to add) offers it as a button.
import { useState } from 'react';
import { selectEdge, selectNode } from '../store/documentActions';
import { ProblemFixButton } from './ProblemFixButton';
import { useEditor } from '../store/state';
import { editorStore } from '../store/state';

export function ProblemsList() {
  const errors = useEditor((s) => s.validation.errors);
  const [collapsed, setCollapsed] = useState(false);
  const target = (path: string) => {
    const match = /^\/(nodes|edges)\/(\d+)/.exec(path);
    if (!match) return undefined;
    const s = editorStore.getState();
    return match[1] === 'nodes' ? { kind: 'node' as const, id: s.nodes[Number(match[2])]?.id } : { kind: 'edge' as const, id: s.edges[Number(match[2])]?.id };
  };
  return (
    <div className={`problems ${errors.length ? 'has-problems' : 'ok'}`} data-testid="problems" data-count={errors.length}>
      <button className="problems-head" onClick={() => setCollapsed((c) => !c)}>
        {errors.length ? `⚠ ${errors.length} problem${errors.length > 1 ? 's' : ''}` : '✓ Valid pipeline'}
      </button>
      {!collapsed && errors.length > 0 && (
        <ul className="problem-list">
          {errors.map((problem, i) => {
            const where = target(problem.path);
            return (
              <li key={i} className="problem-row">
                <button
                  className="problem-item"
                  data-testid="problem-item"
                  onClick={() => {
                    if (where?.kind === 'node' && where.id) selectNode(where.id);
                    else if (where?.kind === 'edge' && where.id) selectEdge(where.id);
                    else editorStore.setState({ panel: 'pipeline' });
                  }}
                >
                  <span className="problem-path mono">{where?.id ?? (problem.path || '/')}</span>
                  <span>{problem.message}</span>
                </button>
                <ProblemFixButton problem={problem} />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
