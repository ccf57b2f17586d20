// The selected node's settings: id, label, config form from its type's JSON Schema, prompt templates,
// model override, approval toggle and the slot it writes.
import { assignmentOf, type ApprovalAssignment, type PipelineNode } from '@storyloom/engine';
import type { JsonSchema } from '../api/client';
import { ancestorIds, type StoryFlowNode } from '../graph/convert';
import { renameNode, updateNodeConfig, updateNodeData } from '../store/documentActions';
import { useEditor } from '../store/state';
import { toast } from '../store/toasts';
import { CommitInput, Field } from './fields';
import { ModelPicker } from './ModelPicker';
import { ProblemFixButton } from './ProblemFixButton';
import { SchemaForm } from './SchemaForm';
import { TemplateEditor } from './TemplateEditor';

export function Inspector() {
  // Select ids as one string: a stable value for useSyncExternalStore.
  const selectedIds = useEditor((s) => s.nodes.filter((n) => n.selected).map((n) => n.id).join('\n'));
  const selected = selectedIds ? selectedIds.split('\n') : [];
  const node = useEditor((s) => s.nodes.find((n) => n.id === selected[0]));
  if (selected.length === 0) return <p className="muted pad">Select a node to edit it. Shift-click or drag with Shift to select several.</p>;
  if (selected.length > 1)
    return (
      <p className="muted pad">
        {selected.length} nodes selected. Ctrl+C / Ctrl+V copies them, Delete removes them.
      </p>
    );
  return node ? <NodeInspector node={node} /> : null;
}

function NodeInspector({ node }: { node: StoryFlowNode }) {
  const info = useEditor((s) => s.catalogue.find((t) => t.type === node.data.type));
  const problems = useEditor((s) => s.validation.byNode[node.id]);
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const catalogue = useEditor((s) => s.catalogue);
  const inputs = useEditor((s) => Object.keys(s.meta.inputs ?? {}).join('\n'));
  const ancestors = ancestorIds(node.id, edges);
  const slots = nodes
    .filter((n) => ancestors.has(n.id))
    .map((n) => ({ slot: n.data.writes ?? catalogue.find((t) => t.type === n.data.type)?.writes, from: n.id }))
    .filter((s): s is { slot: string; from: string } => !!s.slot);
  const templateFields = new Set(info?.templateFields ?? []);
  const config = (node.data.config ?? {}) as Record<string, unknown>;

  const fieldProblems: Record<string, string> = {};
  for (const p of problems ?? []) {
    const key = /^\/nodes\/\d+\/config\/([^/]+)/.exec(p.path)?.[1];
    if (key) fieldProblems[key] = p.message;
  }

  const renderField = (key: string, schema: JsonSchema) => {
    if (info?.capabilities.revisesTarget && key === 'target') return <ReviewTargetPicker node={node} nodes={nodes} ancestors={ancestors} error={fieldProblems[key]} hint={schema.description} />;
    if (!templateFields.has(key)) return undefined;
    return (
      <Field label={key} hint={schema.description} error={fieldProblems[key]}>
        <TemplateEditor value={typeof config[key] === 'string' ? (config[key] as string) : ''} onChange={(v) => updateNodeConfig(node.id, key, v === '' ? undefined : v)} slots={slots} inputs={inputs ? inputs.split('\n') : []} testId={`config-${key}`} />
      </Field>
    );
  };

  return (
    <div className="inspector">
      <header className="inspector-head">
        <span className={`type-badge cat-${info?.category ?? 'unknown'}`}>{info?.title ?? node.data.type}</span>
        <p className="muted small">{info?.description ?? `Unknown node type '${node.data.type}'.`}</p>
      </header>
      {problems?.length ? (
        <ul className="problem-list inline">
          {problems.map((p, i) => (
            <li key={i}>
              {p.message} <ProblemFixButton problem={p} />
            </li>
          ))}
        </ul>
      ) : null}
      <Field label="Node id" hint="lower-case letters, digits and dashes">
        <CommitInput
          value={node.id}
          data-testid="node-id"
          onCommit={(next) => {
            // A malformed id is reported by validation on the node itself, like any other problem.
            if (!next) return toast('error', 'A node needs an id');
            if (nodes.some((n) => n.id === next)) return toast('error', `A node with id '${next}' already exists`);
            renameNode(node.id, next);
          }}
        />
      </Field>
      <Field label="Label">
        <input value={node.data.label ?? ''} placeholder="optional display name" onChange={(e) => updateNodeData(node.id, { label: e.target.value || undefined }, `label:${node.id}`)} />
      </Field>
      <div className="field-row">
        <label className="toggle">
          <input type="checkbox" data-testid="approval-toggle" checked={!!node.data.approval} onChange={(e) => updateNodeData(node.id, { approval: e.target.checked || undefined })} />
          <span>Pause for approval after this node</span>
        </label>
      </div>
      {node.data.approval ? <ApprovalAssignmentFields nodeId={node.id} approval={node.data.approval} /> : null}
      <Field label="Writes slot" hint={info?.writes ? `default: ${info.writes}` : 'required for this type'} error={fieldProblems.writes}>
        <input data-testid="node-writes" value={node.data.writes ?? ''} placeholder={info?.writes ?? 'slot name'} onChange={(e) => updateNodeData(node.id, { writes: e.target.value || undefined }, `writes:${node.id}`)} />
      </Field>
      {info?.reads?.length ? (
        <p className="small muted">
          Reads:{' '}
          {info.reads.map((r) => (
            <code key={r.slot} className="read-slot">
              {[r.slot, ...(r.alternatives ?? [])].join(' | ')}
              {r.optional ? '?' : ''}
            </code>
          ))}
        </p>
      ) : null}
      {info?.usesModel !== false && (
        <Field label="Model override" hint="empty: the pipeline's default">
          <ModelPicker scope={{ level: 'node', nodeId: node.id }} value={node.data.model} onChange={(model) => updateNodeData(node.id, { model }, `model:${node.id}`)} inheritLabel="(pipeline default)" />
        </Field>
      )}
      <h4 className="subhead">Settings</h4>
      {info ? (
        <SchemaForm schema={info.configSchema} value={config} onChange={(key, value) => updateNodeConfig(node.id, key, value)} renderField={renderField} problems={fieldProblems} />
      ) : (
        <p className="muted">Unknown type: settings cannot be edited.</p>
      )}
    </div>
  );
}

/** A review reads one upstream writing node: chosen from the nodes before it, by label. */
function ReviewTargetPicker({ node, nodes, ancestors, error, hint }: { node: StoryFlowNode; nodes: StoryFlowNode[]; ancestors: Set<string>; error?: string; hint?: string }) {
  const catalogue = useEditor((s) => s.catalogue);
  const target = (node.data.config as Record<string, unknown> | undefined)?.target;
  const nameOf = (n: StoryFlowNode) => `${n.data.label || catalogue.find((t) => t.type === n.data.type)?.title || n.data.type} (${n.id})`;
  const candidates = nodes.filter((n) => ancestors.has(n.id));
  const known = typeof target === 'string' && nodes.some((n) => n.id === target);
  return (
    <Field label="target" hint={hint ?? 'the node whose writing this review reads and sends notes back to'} required error={error}>
      <select data-testid="config-target" value={typeof target === 'string' ? target : ''} onChange={(e) => updateNodeConfig(node.id, 'target', e.target.value || undefined)}>
        <option value="">(choose the node to review)</option>
        {typeof target === 'string' && !known && <option value={target}>{target} (not in this pipeline)</option>}
        {candidates.map((n) => (
          <option key={n.id} value={n.id}>
            {nameOf(n)}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Who decides a gate: anyone who may decide, or one role; and whether its author is kept from approving it. */
function ApprovalAssignmentFields({ nodeId, approval }: { nodeId: string; approval: PipelineNode['approval'] }) {
  const assignment = assignmentOf(approval) ?? {};
  const change = (next: ApprovalAssignment) => {
    const cleaned = Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined && value !== false));
    updateNodeData(nodeId, { approval: Object.keys(cleaned).length > 0 ? cleaned : true });
  };
  return (
    <div className="field-row approval-assignment">
      <Field label="Decided by">
        <select
          data-testid="approval-role"
          value={assignment.role ?? ''}
          onChange={(e) => change({ ...assignment, role: (e.target.value || undefined) as ApprovalAssignment['role'] })}
        >
          <option value="">anyone who decides</option>
          <option value="reviewer">reviewers</option>
          <option value="editor">editors</option>
          <option value="owner">owners</option>
        </select>
      </Field>
      <label className="toggle">
        <input
          type="checkbox"
          data-testid="approval-separate-reviewer"
          checked={assignment.separateReviewer === true}
          onChange={(e) => change({ ...assignment, separateReviewer: e.target.checked || undefined })}
        />
        <span>Someone other than who ran or edited it approves</span>
      </label>
    </div>
  );
}
