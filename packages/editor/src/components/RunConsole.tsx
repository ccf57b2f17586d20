// Run console: inputs form, Run (disabled with the reason when the pipeline is invalid), the watched run's
// status, approvals, node outputs with re-run from a node, history and the two-run diff.
import { useEffect, useState } from 'react';
import type { InputDefinition } from '@storyloom/engine';
import { closeRun, loadRunHistory, requestCancel, requestRun, rerunFrom, resumeRun, watchRun } from '../store/runActions';
import { budgetLine } from './BudgetFields';
import { actorLabel, figuresLine, formatCost, formatDuration, formatTokens, premiseOf, runCost, runDuration, runEnded, runProgress, runTokens } from '../lib/runFigures';
import { selectNode } from '../store/documentActions';
import { editorStore, useEditor } from '../store/state';
import { ApprovalPanel } from './ApprovalPanel';
import { DiffView } from './DiffView';
import { useRunNode } from './ApprovalPanel';
import { DraftWithComments, sceneNumbersOf } from './CommentThreads';
import { DraftEditSession, DraftReadView } from './draft/DraftSession';
import { OfflineNotice } from './OfflineNotice';
import { ReviewContinuity, isReview } from './ReviewContinuity';
import { Field } from './fields';
import { ModelPicker } from './ModelPicker';
import { AuditList } from './AuditList';
import { roleNote } from '../store/me';

export function runBlockedReason(state = editorStore.getState()): string | null {
  const role = roleNote(state, 'author');
  if (role) return `${role}.`;
  if (state.nodes.length === 0) return 'The pipeline has no nodes.';
  const problems = state.validation.errors.length;
  if (problems) return `The pipeline has ${problems} problem${problems > 1 ? 's' : ''}; fix ${problems > 1 ? 'them' : 'it'} to run (saving as a draft is fine).`;
  for (const [name, definition] of Object.entries(state.meta.inputs ?? {})) {
    const value = state.runInputs[name];
    if (definition.required && definition.default === undefined && (value === undefined || value === '')) return `Fill in the required input '${name}'.`;
  }
  return null;
}

export function RunConsole() {
  const inputs = useEditor((s) => s.meta.inputs);
  const values = useEditor((s) => s.runInputs);
  const runModel = useEditor((s) => s.runModel);
  const blocked = useEditor((s) => runBlockedReason(s));
  const run = useEditor((s) => s.run);
  const pipelineId = useEditor((s) => s.meta.id);
  useEffect(() => void loadRunHistory(), [pipelineId]);

  return (
    <div className="run-console">
      <section>
        <h4 className="subhead">Inputs</h4>
        {Object.entries(inputs ?? {}).map(([name, definition]) => (
          <Field key={name} label={definition.label ?? name} hint={definition.description} required={definition.required}>
            <InputControl name={name} definition={definition} value={values[name]} />
          </Field>
        ))}
        {!inputs || Object.keys(inputs).length === 0 ? <p className="muted small">This pipeline takes no inputs.</p> : null}
        <Field label="Model for this run" hint="overrides the node and pipeline models for this run only">
          <ModelPicker scope={{ level: 'run' }} value={runModel} onChange={(model) => editorStore.setState({ runModel: model })} inheritLabel="(as configured)" />
        </Field>
        <div className="button-row">
          <button className="primary run" data-testid="run-button" disabled={!!blocked} title={blocked ?? 'Run this pipeline'} onClick={() => void requestRun()}>
            ▶ Run
          </button>
        </div>
        {blocked && (
          <p className="blocked-reason" data-testid="run-blocked">
            {blocked}
          </p>
        )}
      </section>
      {run && <WatchedRunView />}
      <RunHistory />
    </div>
  );
}

function InputControl({ name, definition, value }: { name: string; definition: InputDefinition; value: unknown }) {
  const set = (v: string | number | boolean | undefined) =>
    editorStore.setState((s) => {
      const runInputs = { ...s.runInputs };
      if (v === undefined) delete runInputs[name];
      else runInputs[name] = v;
      return { runInputs };
    });
  const testId = `input-${name}`;
  switch (definition.type) {
    case 'text':
      return <textarea data-testid={testId} rows={3} value={value === undefined ? '' : String(value)} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)} />;
    case 'number':
      return <input data-testid={testId} type="number" value={value === undefined ? '' : String(value)} onChange={(e) => set(e.target.value === '' ? undefined : Number(e.target.value))} />;
    case 'boolean':
      return <input data-testid={testId} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} />;
    default:
      return <input data-testid={testId} value={value === undefined ? '' : String(value)} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)} />;
  }
}

function WatchedRunView() {
  const run = useEditor((s) => s.run)!;
  const selectedId = useEditor((s) => s.nodes.find((n) => n.selected)?.id);
  const ended = runEnded(run.status);
  const authorNote = useEditor((s) => roleNote(s, 'author'));
  return (
    <section className="watched-run" data-testid="watched-run" data-run-id={run.id} data-run-status={run.status}>
      <header className="watched-run-head">
        <div>
          <span className={`status-pill status-${run.status}`}>{run.status}</span> <code className="small">{run.id}</code>
          {run.view?.parentRunId && <span className="muted small"> · re-run of {run.view.parentRunId}</span>}
          {run.view?.startedBy && <span className="muted small" data-testid="run-started-by"> · started by {actorLabel(run.view.startedBy)}</span>}
        </div>
        <span className={`conn ${run.connected ? 'on' : 'off'}`} title={run.connected ? 'live' : 'not connected'}>
          {run.connected ? '● live' : ended ? '' : '○ reconnecting'}
        </span>
      </header>
      <RunProgress />
      {run.view?.error && <p className="field-problem">{run.view.error}</p>}
      <div className="button-row">
        {!ended && !authorNote && <button data-testid="cancel-run" onClick={requestCancel}>Cancel run</button>}
        {!authorNote && (run.status === 'failed' || run.status === 'cancelled' || run.view?.interrupted) && (
          <button data-testid="resume-run" onClick={() => void resumeRun()}>
            Resume
          </button>
        )}
        <button data-testid="open-output" disabled={run.status !== 'completed'} onClick={() => editorStore.setState({ outputOpen: true })}>
          Open output
        </button>
        <button className="ghost" onClick={closeRun}>
          Back to editing
        </button>
      </div>
      <ApprovalPanel />
      <OutputPicker selectedId={selectedId} />
      {selectedId ? <NodeRunDetail nodeId={selectedId} /> : <p className="muted small">Choose a stage (or click a node) to read its output, edit it or re-run from it.</p>}
      <AuditList runId={run.id} refreshKey={`${run.status}:${run.pending.length}`} />
    </section>
  );
}

/** How far the run is, how long it has taken, the tokens it has used and the budget it runs under. */
function RunProgress() {
  const run = useEditor((s) => s.run)!;
  const { done, total } = runProgress(run.nodeStatus);
  const figures = run.view ? figuresLine({ ms: runDuration(run.view), tokens: runTokens(run.view), ...runCost(run.view) }) : '';
  return (
    <div className="run-progress" data-testid="run-progress" data-done={done} data-total={total}>
      <progress max={total || 1} value={done} aria-label="Stages done" />
      <span className="small">
        {done} of {total} stages done
        {figures && ` · ${figures}`}
        {run.view?.budget && <span data-testid="run-budget"> · budget {budgetLine(run.view.budget)}</span>}
      </span>
    </div>
  );
}

/** Which stage's output to read: the same as clicking its node on the canvas. */
function OutputPicker({ selectedId }: { selectedId?: string }) {
  const nodes = useEditor((s) => s.nodes);
  const catalogue = useEditor((s) => s.catalogue);
  return (
    <label className="output-picker">
      <span className="small">Output of</span>
      <select data-testid="output-node" value={selectedId ?? ''} onChange={(e) => selectNode(e.target.value || null, { stayInPanel: true })}>
        <option value="">(choose a stage)</option>
        {nodes.map((n) => (
          <option key={n.id} value={n.id}>
            {n.data.label || catalogue.find((t) => t.type === n.data.type)?.title || n.id}
          </option>
        ))}
      </select>
    </label>
  );
}

function NodeRunDetail({ nodeId }: { nodeId: string }) {
  const run = useEditor((s) => s.run)!;
  const status = run.nodeStatus[nodeId];
  const output = run.outputs[nodeId];
  const stream = run.streams[nodeId];
  const node = useRunNode(nodeId);
  const [editing, setEditing] = useState(false);
  useEffect(() => setEditing(false), [nodeId, run.id]);
  const ended = runEnded(run.status);
  const rerunLabel = `↻ Re-run from ${node.label}`;
  const authorNote = useEditor((s) => roleNote(s, 'author'));
  return (
    <div className="node-run-detail" data-testid="node-run-detail">
      <h4 className="subhead">
        {node.label} <span className={`status-pill status-${status ?? 'pending'}`}>{status ?? 'pending'}</span>
      </h4>
      {status === 'running' && stream ? <pre className="output-preview mono stream">{stream}</pre> : null}
      {editing ? (
        <DraftEditSession
          initial={output}
          source={node.source}
          inputs={run.view?.inputs}
          context="rerun"
          submitLabel={`${rerunLabel} with this output`}
          submitTestId="rerun-button"
          onSubmit={async (edited) => {
            await rerunFrom(nodeId, edited);
            return true;
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          {output !== undefined && <OfflineNotice nodeId={nodeId} />}
          {isReview(output) && <ReviewContinuity review={output} outputs={run.outputs} />}
          {output !== undefined ? (
            <DraftWithComments runId={run.id} nodeId={nodeId} scenes={sceneNumbersOf(output)}>
              <DraftReadView value={output} source={node.source} context="output" />
            </DraftWithComments>
          ) : (
            <DraftReadView value={output} source={node.source} context="output" />
          )}
          {ended && !authorNote && (
            <div className="button-row">
              {output !== undefined && (
                <button data-testid="edit-output" onClick={() => setEditing(true)}>
                  Edit output
                </button>
              )}
              <button className="primary" data-testid="rerun-button" onClick={() => void rerunFrom(nodeId)} title="A new run that reuses everything not downstream of this node">
                {rerunLabel}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

const HISTORY_POLL_MS = 3000;

function RunHistory() {
  const history = useEditor((s) => s.runHistory);
  const current = useEditor((s) => s.run?.id);
  const [compare, setCompare] = useState<string[]>([]);
  // Runs started anywhere (the CLI, the API, another tab) and their statuses follow the server.
  useEffect(() => {
    const timer = setInterval(() => void loadRunHistory(), HISTORY_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  if (!history.length) return null;
  const toggle = (id: string) => setCompare((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c.slice(-1), id]));
  return (
    <section className="run-history">
      <h4 className="subhead">
        Run history <button className="ghost small" onClick={() => void loadRunHistory()}>Refresh</button>
      </h4>
      <ul>
        {history.map((r) => {
          const tokens = runTokens(r);
          const cost = runCost(r);
          return (
            <li key={r.id} data-run-id={r.id} data-status={r.status} className={r.id === current ? 'active' : ''}>
              <input type="checkbox" title="Compare" aria-label={`compare run ${r.id}`} checked={compare.includes(r.id)} onChange={() => toggle(r.id)} />
              <button className="history-open" onClick={() => void watchRun(r.id)} title={`Show run ${r.id}`}>
                <span className="history-premise">{premiseOf(r.inputs) ?? r.id}</span>
                <span className="history-meta">
                  <span className={`status-pill status-${r.status}`}>{r.status}</span>
                  <span>{r.version ? `v${r.version}` : 'unsaved'}</span>
                  <span>{new Date(r.createdAt).toLocaleTimeString()}</span>
                  <span data-testid="history-duration">{formatDuration(runDuration(r))}</span>
                  {tokens > 0 && <span data-testid="history-tokens">{formatTokens(tokens)}</span>}
                  {cost.costUsd !== undefined && <span data-testid="history-cost">{formatCost(cost.costUsd, cost.unpriced)}</span>}
                  {r.startedBy && <span data-testid="history-started-by">by {actorLabel(r.startedBy)}</span>}
                  {r.parentRunId && <span title={`re-run of ${r.parentRunId}`}>↻ re-run</span>}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {compare.length === 2 ? <DiffView runIds={compare as [string, string]} /> : <p className="muted small">Tick two runs to compare a node's output.</p>}
    </section>
  );
}
