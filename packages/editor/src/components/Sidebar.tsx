// Left column: the saved pipelines and the palette of node types.
import { useRef, type DragEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { NODE_HEIGHT, NODE_WIDTH } from '../graph/layout';
import { addNode } from '../store/documentActions';
import { mayDo } from '../store/me';
import { deletePipeline, duplicatePipeline, exportFile, importFile, requestNew, requestOpen } from '../store/pipelineActions';
import { editorStore, useEditor } from '../store/state';
import { PALETTE_MIME } from './Canvas';

const CATEGORY_ORDER = ['plan', 'write', 'check', 'custom', 'output'];
const CATEGORY_TITLES: Record<string, string> = { plan: 'Plan', write: 'Write', check: 'Check', custom: 'Custom', output: 'Output' };

export function Sidebar() {
  return (
    <aside className="sidebar">
      <PipelineList />
      <Palette />
    </aside>
  );
}

const waitingCount = (inbox: Array<{ pipelineId: string }>, id: string) => inbox.filter((item) => item.pipelineId === id).length;

function PipelineList() {
  const pipelines = useEditor((s) => s.pipelines);
  const currentId = useEditor((s) => s.meta.id);
  const inbox = useEditor((s) => s.inbox);
  // Saving, duplicating, importing and deleting change pipelines on the server: owners' and editors' work.
  const author = useEditor((s) => mayDo(s, 'author'));
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <section className="side-section pipelines">
      <header className="section-head">
        <h3>Pipelines</h3>
        <div className="row-actions">
          <button className="ghost small" onClick={requestNew} title="New pipeline" data-testid="new-pipeline">
            New
          </button>
          {author && (
            <>
              <button className="ghost small" onClick={() => void duplicatePipeline()} title="Duplicate the open pipeline">
                Duplicate
              </button>
              <button className="ghost small" onClick={() => fileInput.current?.click()} title="Import a pipeline JSON file">
                Import
              </button>
            </>
          )}
          <button className="ghost small" onClick={exportFile} title="Download the open pipeline as JSON">
            Export
          </button>
        </div>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
            e.target.value = '';
          }}
        />
      </header>
      <ul className="pipeline-list">
        {pipelines.length === 0 && <li className="muted empty">No saved pipelines yet.</li>}
        {pipelines.map((p) => (
          <li key={p.id} className={p.id === currentId ? 'active' : ''}>
            <button className="pipeline-open" onClick={() => requestOpen(p.id)} title={`Open ${p.id}`}>
              <span className="pipeline-name">{p.name}</span>
              <span className="pipeline-meta">
                {waitingCount(inbox, p.id) > 0 && (
                  <span className="pipeline-waiting" data-testid={`waiting-${p.id}`} title="Approvals waiting in runs of this pipeline">
                    {waitingCount(inbox, p.id)} waiting
                  </span>
                )}
                {p.id} · v{p.version}
                {!p.valid && <span className="draft-mark"> draft</span>}
              </span>
            </button>
            {author && (
              <button className="icon danger" title={`Delete ${p.id}`} aria-label={`Delete ${p.id}`} onClick={() => void deletePipeline(p.id)}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Palette() {
  const catalogue = useEditor((s) => s.catalogue);
  const flow = useReactFlow();
  /**
   * A clicked type lands in what the canvas shows: the free spot nearest its middle (rings of node-sized
   * cells around it), so repeated clicks fan out on screen instead of stacking below the fold.
   */
  const addAtViewCentre = (type: string) => {
    const canvas = document.querySelector('.react-flow')?.getBoundingClientRect();
    if (!canvas) return addNode(type);
    const topLeft = flow.screenToFlowPosition({ x: canvas.x + 10, y: canvas.y + 10 });
    const bottomRight = flow.screenToFlowPosition({ x: canvas.right - 10, y: canvas.bottom - 10 });
    const centre = { x: (topLeft.x + bottomRight.x) / 2 - NODE_WIDTH / 2, y: (topLeft.y + bottomRight.y) / 2 - NODE_HEIGHT / 2 };
    // Room below each node for the two lines of a problem message it may show once validated.
    const tall = NODE_HEIGHT + 40;
    const taken = (p: { x: number; y: number }) =>
      editorStore.getState().nodes.some((n) => {
        const height = Math.max(n.measured?.height ?? NODE_HEIGHT, tall);
        return p.x < n.position.x + (n.measured?.width ?? NODE_WIDTH) && n.position.x < p.x + NODE_WIDTH && p.y < n.position.y + height && n.position.y < p.y + tall;
      });
    const inView = (p: { x: number; y: number }) => p.x >= topLeft.x && p.y >= topLeft.y && p.x + NODE_WIDTH <= bottomRight.x && p.y + tall <= bottomRight.y;
    const step = { x: NODE_WIDTH + 30, y: tall + 16 };
    for (let ring = 0; ring < 6; ring++) {
      for (let dy = -ring; dy <= ring; dy++) {
        for (let dx = -ring; dx <= ring; dx++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
          const spot = { x: centre.x + dx * step.x, y: centre.y + dy * step.y };
          if (inView(spot) && !taken(spot)) return addNode(type, spot);
        }
      }
    }
    // The view is full: overlap slightly at its middle rather than land off screen.
    addNode(type, { x: centre.x + 16, y: centre.y + 16 });
  };
  const categories = [...new Set(catalogue.map((t) => t.category ?? 'other'))].sort(
    (a, b) => (CATEGORY_ORDER.indexOf(a) + 1 || 99) - (CATEGORY_ORDER.indexOf(b) + 1 || 99),
  );
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(PALETTE_MIME, type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <section className="side-section palette">
      <header className="section-head">
        <h3>Node types</h3>
        <span className="hint">drag or click</span>
      </header>
      {catalogue.length === 0 && <p className="muted">The catalogue has not loaded.</p>}
      {categories.map((category) => (
        <div key={category} className="palette-group">
          <h4>{CATEGORY_TITLES[category] ?? category}</h4>
          {catalogue
            .filter((t) => (t.category ?? 'other') === category)
            .map((t) => (
              <button
                key={t.type}
                className={`palette-item cat-${category}`}
                draggable
                data-testid={`palette-${t.type}`}
                onDragStart={(e) => onDragStart(e, t.type)}
                onClick={() => addAtViewCentre(t.type)}
                title={t.description}
              >
                <span className="palette-title">{t.title}</span>
                <span className="palette-writes">{t.writes ? `→ ${t.writes}` : '→ custom slot'}</span>
              </button>
            ))}
        </div>
      ))}
    </section>
  );
}
