// The approvals inbox: a top-bar button with the number of drafts waiting across every run and pipeline,
// opening a list of them (node label, pipeline, premise, how long it has waited); choosing one opens its
// run with the approval card. Gates assigned to someone else are listed apart and not counted.
import { openInboxItem } from '../store/inboxActions';
import { editorStore, useEditor } from '../store/state';
import type { InboxItem } from '../store/inboxActions';
import { useEscape } from './useEscape';

const closeInbox = () => editorStore.setState({ inboxOpen: false });

function waited(since: string): string {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 60000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

export function InboxButton() {
  const count = useEditor((s) => s.inbox.filter((item) => item.mine !== false).length);
  const open = useEditor((s) => s.inboxOpen);
  return (
    <button
      className={count ? 'inbox-button has-items' : 'inbox-button'}
      data-testid="approvals-count"
      data-count={count}
      aria-expanded={open}
      title={`${count} approval${count === 1 ? '' : 's'} waiting for you across all runs`}
      onClick={() => editorStore.setState({ inboxOpen: !open })}
    >
      Approvals <span className="count">{count}</span>
    </button>
  );
}

export function ApprovalsInbox() {
  const open = useEditor((s) => s.inboxOpen);
  const items = useEditor((s) => s.inbox);
  const watched = useEditor((s) => s.run?.id);
  useEscape(open, closeInbox);
  if (!open) return null;
  const mine = items.filter((item) => item.mine !== false);
  const others = items.filter((item) => item.mine === false);
  return (
    <div className="inbox-popover" data-testid="approvals-inbox" role="dialog" aria-label="Approvals waiting">
      <header className="inbox-head">
        <h3>Waiting for a decision</h3>
        <button className="icon" onClick={closeInbox} aria-label="Close">
          ×
        </button>
      </header>
      {mine.length === 0 ? <p className="muted pad">Nothing is waiting for you.</p> : <InboxList items={mine} watched={watched} />}
      {others.length > 0 && (
        <>
          <h4 className="inbox-others-head small muted">Assigned to others</h4>
          <InboxList items={others} watched={watched} testId="inbox-others" />
        </>
      )}
    </div>
  );
}

function InboxList({ items, watched, testId }: { items: InboxItem[]; watched: string | undefined; testId?: string }) {
  return (
    <ul className="inbox-list" data-testid={testId}>
      {items.map((item) => (
        <li
          key={`${item.runId}/${item.nodeId}`}
          data-run-id={item.runId}
          data-node-id={item.nodeId}
          data-mine={item.mine === false ? 'false' : 'true'}
          className={item.runId === watched ? 'active' : ''}
        >
          <button className="inbox-item" onClick={() => void openInboxItem(item)}>
            <span className="inbox-title">{item.kind === 'budget' ? `Budget check before ${item.label}` : item.label}</span>
            <span className="inbox-pipeline">{item.pipelineName}</span>
            {item.premise && <span className="inbox-premise">“{item.premise}”</span>}
            <span className="inbox-when">
              run {item.runId.slice(0, 8)} · {waited(item.requestedAt)}
              {item.startedBy && ` · by ${item.startedBy.name}`}
              {item.assignedTo && <span className="inbox-assignee"> · for {item.assignedTo}</span>}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
