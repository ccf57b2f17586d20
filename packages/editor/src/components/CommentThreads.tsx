// Review comments beside a draft (at an approval and in a run's node output): the node's threads, open ones
// first, each anchored to the whole draft, a scene or a field; reply, resolve or reopen; start a new thread.
// At an approval the open threads can go back to the node as its reject feedback in one click.
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { type CommentThread, describeAnchor } from '@storyloom/engine';
import { api } from '../api/client';
import { actorLabel } from '../lib/runFigures';
import { attempt } from '../store/toasts';
import { mayDo } from '../store/me';
import { useEditor } from '../store/state';

/** How often the threads are read again for comments made elsewhere (no toast when that fails). */
const REFRESH_MS = 5_000;

export interface CommentThreadsProps {
  runId: string;
  nodeId: string;
  /** The draft's scene numbers, offered as anchors (empty when the output has no scenes). */
  scenes: number[];
  /** Loads again when this changes (a new attempt of the draft). */
  version?: number;
  /** At an approval: sends the open threads back as reject feedback. */
  onSendBack?: () => Promise<boolean>;
}

/** The scene numbers of a draft that lists scenes (`scenes: [{ number }]`), for anchoring comments. */
export function sceneNumbersOf(draft: unknown): number[] {
  const scenes = (draft as { scenes?: unknown } | null)?.scenes;
  if (!Array.isArray(scenes)) return [];
  return scenes.map((scene, index) => {
    const number = (scene as { number?: unknown } | null)?.number;
    return typeof number === 'number' ? number : index + 1;
  });
}

/**
 * The draft with its comments beside it (below it on a narrow panel: the column needs the room Widen gives). Focusing a field of the draft offers
 * that field (its JSON pointer) as the new comment's anchor.
 */
export function DraftWithComments({ children, ...props }: CommentThreadsProps & { children: ReactNode }) {
  const [focused, setFocused] = useState<string | undefined>();
  return (
    <div className="draft-with-comments">
      <div className="draft-with-comments-row">
        <div
          className="draft-side"
          onFocus={(e) => {
            const field = (e.target as HTMLElement).closest('[data-field]')?.getAttribute('data-field');
            if (field) setFocused(field);
          }}
        >
          {children}
        </div>
        <CommentThreads {...props} focusedField={focused} />
      </div>
    </div>
  );
}

export function CommentThreads({ runId, nodeId, scenes, version, onSendBack, focusedField }: CommentThreadsProps & { focusedField?: string }) {
  const [threads, setThreads] = useState<CommentThread[] | undefined>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    const loaded = await attempt('Could not load comments', () => api.comments(runId, nodeId));
    if (loaded) setThreads(loaded);
  }, [runId, nodeId]);
  useEffect(() => void load(), [load, version]);
  // Others comment too: look again now and then while the threads are shown.
  useEffect(() => {
    const timer = setInterval(() => void api.comments(runId, nodeId).then(setThreads, () => undefined), REFRESH_MS);
    return () => clearInterval(timer);
  }, [runId, nodeId]);

  /** Runs a change, then shows the threads as the server has them. */
  const change = async (label: string, action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    const done = (await attempt(label, action)) !== undefined;
    await load();
    setBusy(false);
    return done;
  };
  // Commenting is part of reviewing: a viewer reads the threads but has nothing to write them with.
  const readOnly = useEditor((s) => !mayDo(s, 'decide'));
  const role = useEditor((s) => s.me?.actor.role);
  const open = (threads ?? []).filter((thread) => thread.status === 'open');
  const resolved = (threads ?? []).filter((thread) => thread.status === 'resolved');

  return (
    <aside className="comments" data-testid="comments" data-node={nodeId} aria-label={`Comments on ${nodeId}`}>
      <h6 className="comments-title">
        Comments <span className="muted small" data-testid="open-comments" data-count={open.length}>{open.length} open</span>
      </h6>
      {threads === undefined && <p className="muted small">Loading…</p>}
      {[...open, ...resolved].map((thread) => (
        <Thread
          key={thread.id}
          thread={thread}
          busy={busy}
          readOnly={readOnly}
          onReply={(body) => change('Could not reply', () => api.reply(runId, thread.id, body))}
          onStatus={(status) => change(`Could not ${status === 'open' ? 'reopen' : 'resolve'} the thread`, () => api.setThreadStatus(runId, thread.id, status))}
        />
      ))}
      {readOnly ? (
        <p className="muted small" data-testid="comments-read-only">
          Your role ({role}) reads comments; owners, editors and reviewers write them.
        </p>
      ) : (
        <NewThread busy={busy} scenes={scenes} focusedField={focusedField} onStart={(body, anchor) => change('Could not comment', () => api.startThread(runId, { nodeId, body, ...anchor }))} />
      )}
      {onSendBack && !readOnly && (
        <button
          className="danger"
          data-testid="reject-with-comments"
          disabled={busy || open.length === 0}
          title="Send this draft back with every open comment as the feedback (the comments are then resolved)"
          onClick={() => {
            setBusy(true);
            void onSendBack().finally(() => setBusy(false));
          }}
        >
          Send back with {open.length} open comment{open.length === 1 ? '' : 's'}
        </button>
      )}
    </aside>
  );
}

function Thread({
  thread,
  busy,
  readOnly,
  onReply,
  onStatus,
}: {
  thread: CommentThread;
  busy: boolean;
  readOnly: boolean;
  onReply(body: string): Promise<boolean>;
  onStatus(status: 'open' | 'resolved'): Promise<boolean>;
}) {
  const [reply, setReply] = useState('');
  const where = describeAnchor(thread.anchor) || 'whole draft';
  return (
    <article className={`comment-thread ${thread.status}`} data-testid="comment-thread" data-thread={thread.id} data-status={thread.status}>
      <header className="small">
        <span className="comment-anchor" data-testid="comment-anchor">{where}</span>
        {thread.attempt !== undefined && <span className="muted"> · attempt {thread.attempt}</span>}
        <span className="muted"> · {thread.status}</span>
      </header>
      {thread.comments.map((comment) => (
        <p key={comment.id} className="comment" data-testid="comment">
          {comment.author && <strong>{actorLabel(comment.author)}: </strong>}
          {comment.body}
        </p>
      ))}
      {!readOnly && (
        <div className="comment-actions">
          {thread.status === 'open' && (
            <input
              className="small"
              value={reply}
              placeholder="Reply…"
              aria-label="Reply"
              data-testid="comment-reply"
              onChange={(e) => setReply(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && reply.trim()) void onReply(reply.trim()).then((ok) => ok && setReply(''));
              }}
            />
          )}
          <button className="ghost small" data-testid="comment-status" disabled={busy} onClick={() => void onStatus(thread.status === 'open' ? 'resolved' : 'open')}>
            {thread.status === 'open' ? 'Resolve' : 'Reopen'}
          </button>
        </div>
      )}
    </article>
  );
}

interface NewThreadProps {
  busy: boolean;
  scenes: number[];
  focusedField?: string;
  onStart(body: string, anchor: { scene?: number; field?: string }): Promise<boolean>;
}

function NewThread({ busy, scenes, focusedField, onStart }: NewThreadProps) {
  const [body, setBody] = useState('');
  const [scene, setScene] = useState('');
  const [field, setField] = useState('');
  useEffect(() => {
    if (focusedField !== undefined) setField(focusedField);
  }, [focusedField]);
  const submit = async () => {
    const anchor = { ...(scene ? { scene: Number(scene) } : {}), ...(field.trim() ? { field: field.trim() } : {}) };
    if (await onStart(body.trim(), anchor)) {
      setBody('');
      setScene('');
      setField('');
    }
  };
  return (
    <div className="new-comment">
      <textarea rows={2} value={body} placeholder="Comment on this draft…" aria-label="New comment" data-testid="comment-body" onChange={(e) => setBody(e.target.value)} />
      <div className="comment-actions">
        {scenes.length > 0 && (
          <select value={scene} aria-label="Scene" data-testid="comment-scene" onChange={(e) => setScene(e.target.value)}>
            <option value="">any scene</option>
            {scenes.map((number) => (
              <option key={number} value={number}>
                scene {number}
              </option>
            ))}
          </select>
        )}
        <input className="small" value={field} placeholder="/field (optional)" aria-label="Field (JSON pointer)" data-testid="comment-field" onChange={(e) => setField(e.target.value)} />
        <button className="small" data-testid="add-comment" disabled={busy || !body.trim()} onClick={() => void submit()}>
          Comment
        </button>
      </div>
    </div>
  );
}
