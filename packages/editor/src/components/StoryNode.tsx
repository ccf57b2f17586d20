// How a pipeline node looks on the canvas: the producer's label as its title, type and id below, the slot it writes, approval mark, problems, and
// during a run its status (data-status, for people and tests), its duration, tokens and cost, and the tail of its streamed text.
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { StoryFlowNode } from '../graph/convert';
import { figuresLine, nodeFigures } from '../lib/runFigures';
import { useEditor } from '../store/state';

const STREAM_TAIL = 180;

function StoryNodeView({ id, data, selected }: NodeProps<StoryFlowNode>) {
  const info = useEditor((s) => s.catalogue.find((t) => t.type === data.type));
  const problems = useEditor((s) => s.validation.byNode[id]);
  const status = useEditor((s) => s.run?.nodeStatus[id]);
  const stream = useEditor((s) => (s.run ? s.run.streams[id] : undefined));
  const usage = useEditor((s) => s.run?.view?.nodes[id]);
  const ms = useEditor((s) => s.run?.timing[id]?.ms);
  const figures = figuresLine({ ms, ...nodeFigures(usage) });
  const writes = data.writes ?? info?.writes;
  const classes = ['story-node', `cat-${info?.category ?? 'unknown'}`];
  if (selected) classes.push('selected');
  if (problems?.length) classes.push('has-problems');
  if (status) classes.push(`status-${status}`);
  return (
    <div className={classes.join(' ')} data-status={status} data-node-type={data.type}>
      <Handle type="target" position={Position.Left} />
      <div className="story-node-head">
        <span className="story-node-type">{data.label || info?.title || data.type}</span>
        {data.approval && (
          <span className="approval-mark" title="Pauses for approval">
            <span className="approval-icon" aria-hidden>◆</span> approval
          </span>
        )}
      </div>
      <div className="story-node-id">
        {info?.title ?? data.type} · {id}
      </div>
      <div className="story-node-writes">
        {writes ? (
          <>
            writes <code>{writes}</code>
          </>
        ) : (
          <span className="muted">writes nothing yet</span>
        )}
        {data.model ? <span className="model-chip">{typeof data.model === 'string' ? data.model : data.model.provider}</span> : null}
      </div>
      {status && (
        <div className="story-node-run">
          <span className={`status-pill status-${status}`}>{status}</span>
          {figures && <span className="story-node-figures">{figures}</span>}
        </div>
      )}
      {stream && status === 'running' ? <div className="story-node-stream">{stream.length > STREAM_TAIL ? '…' + stream.slice(-STREAM_TAIL) : stream}</div> : null}
      {problems?.length ? (
        <div className="story-node-problem" title={problems.map((p) => p.message).join('\n')}>
          ⚠ {problems[0].message}
          {problems.length > 1 ? ` (+${problems.length - 1})` : ''}
        </div>
      ) : null}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export const StoryNode = memo(StoryNodeView);
