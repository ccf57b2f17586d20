// The one store interface the runner, the facade and the adapters use, whatever holds the data: every call is
// async so the same code runs on the embedded SQLite file and on PostgreSQL. Both implementations pass one
// shared contract suite (test/store/contract.test.ts).
import type { Actor, UserRole } from '../contract/actor';
import type { AuditEntry, NewAuditEntry } from '../contract/audit';
export type { AuditAction, AuditEntry, NewAuditEntry } from '../contract/audit';
import type { ModelSpec, Pipeline, RunInputs } from '../pipeline/schema';
import type { PipelineStore } from '../runner/engine';
import type { CommentStatus, CommentThread } from '../comments/types';
import type { OutboxEvent } from '../webhooks/payload';
import type { WebhookAttempt, WebhookDelivery, WebhookEvent, Webhook } from '../webhooks/types';
import type { ApprovalDecision, AttemptUsage, Budget, DailyUsage, NodeStatus, RunEvent, RunEventType, RunStatus, RunView, TokenUsage } from '../runner/types';
import type { RunEventDataMap } from '../contract/events';

export type ApprovalStatus = 'pending' | 'approved' | 'edited' | 'rejected';

export interface ApprovalRecord {
  runId: string;
  nodeId: string;
  attempt: number;
  status: ApprovalStatus;
  decision?: ApprovalDecision;
  requestedAt: string;
  decidedAt?: string;
  applied: boolean;
}

export type OutputSource = 'model' | 'edit' | 'reused' | 'revision';

export interface StoredOutput {
  runId: string;
  nodeId: string;
  attempt: number;
  source: OutputSource;
  output: unknown;
  usage?: TokenUsage;
}

export interface NodeRecord {
  nodeId: string;
  status: NodeStatus;
  attempt?: number;
  error?: string;
  usage?: TokenUsage;
}

export interface RunLease {
  owner: string;
  host: string;
  pid: number;
  /** The holder's process start time where its host reports one: a later process given the same pid differs. */
  started?: string;
  expiresAt: number;
  /** Grows by one every time the lease changes hands: a write fenced on an old epoch is refused. */
  epoch: number;
}

/** The run row: the fields a RunView shows about the run itself, plus what only the runner needs. */
export interface RunRecord
  extends Pick<RunView, 'id' | 'pipelineId' | 'version' | 'status' | 'inputs' | 'model' | 'parentRunId' | 'startedBy' | 'error' | 'createdAt' | 'updatedAt'> {
  pipeline: Pipeline;
  autoApprove: boolean;
  cancelRequested: boolean;
  /** Who asked for the pending cancel (the driving process names them in `run.cancelled`). */
  cancelledBy?: Actor;
  lease?: RunLease;
  /** What the run may still spend in all; undefined when it has no budget (or a person let it go past it). */
  budget?: Budget;
}

/** What deciding whether a run needs a new driver takes: no pipeline or inputs to parse. */
export type RunDriveState = Pick<RunRecord, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'lease'>;

export interface NewRun {
  id: string;
  pipelineId: string;
  version: number | null;
  inputs: RunInputs;
  model?: ModelSpec;
  pipeline: Pipeline;
  autoApprove: boolean;
  parentRunId?: string;
  budget?: Budget;
  startedBy?: Actor;
}

export interface LeaseClaim {
  owner: string;
  host: string;
  pid: number;
  /** The claiming process's start time, when known. */
  started?: string;
  ttlMs: number;
  /** True when the current holder may be displaced (dead process on this host). */
  holderIsGone(lease: RunLease): boolean;
}

export type LeaseClaimResult = { ok: true; epoch: number } | { ok: false; holder: string };

/** An event to append: its type's own `data` (outputs and drafts are not copied in: `outputAttempt` names them). */
export type NewEvent = {
  [T in RunEventType]: {
    type: T;
    nodeId?: string;
    data?: Omit<RunEventDataMap[T], 'output' | 'draft'>;
    /** For node.completed and approvals: the attempt whose stored output is this event's `data.output` (or `draft`). */
    outputAttempt?: number;
    /** The person whose request caused the event. */
    actor?: Actor;
  };
}[RunEventType];

/** Where a page of runs ended: the last run's creation time and id. */
export interface RunPosition {
  createdAt: string;
  id: string;
}

export interface RunListFilter {
  pipelineId?: string;
  status?: RunStatus;
}

export interface RunRepository {
  insert(run: NewRun): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  /**
   * The run row, locked until the enclosing transaction ends (PostgreSQL `FOR UPDATE`; SQLite's write
   * transactions already hold the whole database). Decisions, cancels and settling a run serialize on it.
   */
  lock(id: string): Promise<RunRecord | undefined>;
  list(filter?: RunListFilter): Promise<RunRecord[]>;
  /** The drive state of every run in one of `statuses`, oldest first (what an orphan scan reads, often). */
  driveStates(statuses: readonly RunStatus[]): Promise<RunDriveState[]>;
  /**
   * At most `limit` runs, newest first (creation time, then id, both descending), strictly after `after` in
   * that order; `more` says whether another page follows.
   */
  page(filter: RunListFilter, limit: number, after?: RunPosition): Promise<{ runs: RunRecord[]; more: boolean }>;
  /** How many runs are in each status (for metrics). */
  countByStatus(): Promise<Partial<Record<RunStatus, number>>>;
  setStatus(id: string, status: RunStatus, error?: string | null): Promise<void>;
  touch(id: string): Promise<void>;
  /** Replaces the run's budget (null: none from now on). */
  setBudget(id: string, budget: Budget | null): Promise<void>;
  requestCancel(id: string, actor?: Actor): Promise<void>;
  clearCancel(id: string): Promise<void>;
  isCancelRequested(id: string): Promise<boolean>;
  /** Takes the lease if it is free, expired, ours, or held by a dead process; returns the live holder otherwise. */
  claimLease(id: string, claim: LeaseClaim): Promise<LeaseClaimResult>;
  /** False when the lease is no longer `owner`'s at `epoch` (another process took the run over). */
  renewLease(id: string, owner: string, ttlMs: number, epoch?: number): Promise<boolean>;
  releaseLease(id: string, owner: string): Promise<void>;
  /**
   * Whether `owner` still holds the run's lease at `epoch`; inside a transaction it also keeps the lease from
   * changing hands until commit (the fence every write of a driving process goes through).
   */
  holdsLease(id: string, owner: string, epoch: number): Promise<boolean>;
}

export interface EventRepository {
  /** Appends with the run's next `seq` (no gap, no duplicate, across every process); returns it. */
  append(runId: string, event: NewEvent): Promise<number>;
  list(runId: string, afterSeq?: number, limit?: number): Promise<RunEvent[]>;
  lastSeq(runId: string): Promise<number>;
  hasEvent(runId: string, type: RunEventType): Promise<boolean>;
}

export interface OutputRepository {
  get(runId: string, nodeId: string, attempt: number): Promise<StoredOutput | undefined>;
  put(entry: StoredOutput): Promise<void>;
  /** Points a new run's attempt 1 at another run's stored output (the text is not copied). */
  putReference(runId: string, nodeId: string, from: { runId: string; attempt: number }): Promise<void>;
}

export interface NodeStateRepository {
  list(runId: string): Promise<NodeRecord[]>;
  get(runId: string, nodeId: string): Promise<NodeRecord | undefined>;
  set(runId: string, nodeId: string, change: { status: NodeStatus; attempt?: number; error?: string; usage?: TokenUsage }): Promise<void>;
  /** Nodes left `running` by an interrupted drive go back to `pending` (their work was lost with the process). */
  resetRunning(runId: string): Promise<void>;
}

export interface ApprovalRepository {
  get(runId: string, nodeId: string, attempt: number): Promise<ApprovalRecord | undefined>;
  request(runId: string, nodeId: string, attempt: number): Promise<void>;
  /** Records an automatic approval (autoApprove runs) as already decided. */
  autoApprove(runId: string, nodeId: string, attempt: number): Promise<void>;
  /** True if this call decided the pending approval; false if it was not pending (someone decided first). */
  decide(runId: string, nodeId: string, decision: ApprovalDecision): Promise<boolean>;
  markApplied(runId: string, nodeId: string, attempt: number): Promise<boolean>;
  /** Asks again: the run's rejected requests among `nodeIds` become pending, their decisions dropped; returns them. */
  reopenRejected(runId: string, nodeIds: string[]): Promise<ApprovalRecord[]>;
  pending(runId?: string): Promise<ApprovalRecord[]>;
  /** Decisions stored but not yet carried out by a driving process. */
  decidedNotApplied(runId: string): Promise<ApprovalRecord[]>;
  /** Every reject feedback given to a node so far, oldest first. */
  feedback(runId: string, nodeId: string): Promise<string[]>;
}

/** A completed model call, kept so a node that executes again (on any machine) reads it back instead of re-sending. */
export interface ModelCallRecord {
  runId: string;
  nodeId: string;
  attempt: number;
  /** The call's label and its index among the node's calls with that label: stable across re-executions. */
  callKey: string;
  reply: unknown;
  /** What the call's requests spent (absent for calls recorded before spend was kept with them). */
  usage?: CallUsage;
  /** When it was recorded (set on read). */
  at?: string;
}

/** One recorded call's tokens and the requests it took (retries, a JSON repair). */
export interface CallUsage {
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/** One execution of a node and what it spent, as stored (see AttemptUsage). */
export interface AttemptRecord extends AttemptUsage {
  nodeId: string;
}

export type { DailyUsage };

export interface AttemptRepository {
  /** Appends a node's next execution (kept in order per node; `at` is now). */
  add(runId: string, nodeId: string, attempt: Omit<AttemptUsage, 'at' | 'totalTokens' | 'unpriced'>): Promise<void>;
  /** Every execution of every node of the run, oldest first per node. */
  list(runId: string): Promise<AttemptRecord[]>;
  /** Every execution of one node, oldest first. */
  forNode(runId: string, nodeId: string): Promise<AttemptRecord[]>;
  /** Per day, from `sinceDay` (`YYYY-MM-DD`, UTC) on, what the runs of `pipelineId` spent; days with nothing are left out. */
  dailyUsage(pipelineId: string, sinceDay: string): Promise<DailyUsage[]>;
  /** How many distinct runs of `pipelineId` spent anything from `sinceDay` on. */
  spendingRuns(pipelineId: string, sinceDay: string): Promise<number>;
}

export interface ModelCallRepository {
  get(runId: string, nodeId: string, attempt: number, callKey: string): Promise<ModelCallRecord | undefined>;
  put(record: ModelCallRecord): Promise<void>;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** A person who may use a shared server; their API tokens are kept only as SHA-256 hashes. */
export interface UserRecord extends Actor {
  createdAt: string;
  /** Set once the user is revoked: their tokens no longer work, their name may be given to a new user. */
  revokedAt?: string;
}

export interface UserRepository {
  /** StoryloomError('conflict') when an active user already has this name. */
  add(user: { id: string; name: string; role: UserRole }): Promise<UserRecord>;
  /** Every user, revoked ones too (they still name who did what), oldest first. */
  list(): Promise<UserRecord[]>;
  /** The active user of that name, or of that id. */
  find(nameOrId: string): Promise<UserRecord | undefined>;
  /** Revokes the active user of that name (their tokens stop working); false if there is none. */
  revoke(name: string): Promise<boolean>;
  addToken(userId: string, tokenHash: string): Promise<void>;
  /** The active user holding the token with this hash. */
  byTokenHash(tokenHash: string): Promise<UserRecord | undefined>;
  /** Whether any user is active: a server with none stays in the single-user mode. */
  hasActive(): Promise<boolean>;
}

export interface AuditRepository {
  record(entry: NewAuditEntry): Promise<void>;
  /** Entries about a pipeline (its saves and its runs) or about one run, oldest first. */
  list(filter: { pipelineId?: string; runId?: string }): Promise<AuditEntry[]>;
}

export interface NewWebhook {
  id: string;
  url: string;
  secret: string;
  events: WebhookEvent[];
  createdBy?: Actor;
}

/** A delivery claimed for sending: what the sender needs. */
export interface DueDelivery {
  id: string;
  hookId: string;
  url: string;
  secret: string;
  event: WebhookEvent;
  /** The exact bytes to send and sign. */
  body: string;
  /** Tries made before this one. */
  attempts: number;
}

/** After a try: delivered, given up, or due again at `nextAttemptAt` (ms since the epoch). */
export type DeliveryOutcome = { status: 'delivered' | 'failed' } | { status: 'pending'; nextAttemptAt: number };

export interface WebhookRepository {
  create(hook: NewWebhook): Promise<Webhook>;
  list(): Promise<Webhook[]>;
  get(id: string): Promise<Webhook | undefined>;
  /** Deletes the hook with its deliveries; false if there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * Records one pending delivery per hook subscribed to the event (the outbox: written in the transaction that
   * appends the event, so a delivery is never lost or made twice). Returns how many.
   */
  enqueue(event: OutboxEvent): Promise<number>;
  /**
   * Up to `limit` pending deliveries due at `now`, locked for `owner` until `now + lockMs` so no other process
   * sends them meanwhile (a sender that dies leaves them to be claimed again once the lock expires).
   */
  claimDue(owner: string, now: number, lockMs: number, limit: number): Promise<DueDelivery[]>;
  /** Logs a try of a delivery `owner` holds and sets what comes next; false if the claim was lost. */
  record(id: string, owner: string, attempt: WebhookAttempt, outcome: DeliveryOutcome): Promise<boolean>;
  /** A hook's deliveries, newest first. */
  deliveries(hookId: string, limit: number): Promise<WebhookDelivery[]>;
  /** When the earliest pending delivery is due (ms since the epoch), so a sender can sleep until then. */
  nextDue(): Promise<number | undefined>;
}

export interface NewCommentThread {
  id: string;
  runId: string;
  nodeId: string;
  attempt?: number;
  scene?: number;
  field?: string;
  body: string;
  author?: Actor;
}

export interface NewComment {
  id: string;
  body: string;
  author?: Actor;
}

export interface CommentRepository {
  createThread(thread: NewCommentThread): Promise<void>;
  /** Adds a reply; false if the run has no such thread. */
  reply(runId: string, threadId: string, comment: NewComment): Promise<boolean>;
  /** Opens or resolves a thread; false if the run has no such thread. */
  setStatus(runId: string, threadId: string, status: CommentStatus, actor?: Actor): Promise<boolean>;
  /** The run's threads (optionally of one node or one status), oldest first, each with its comments. */
  list(runId: string, filter?: { nodeId?: string; status?: CommentStatus }): Promise<CommentThread[]>;
}

/** Every repository, bound to one connection (or one transaction). */
export interface StoreSet {
  pipelines: PipelineStore;
  runs: RunRepository;
  events: EventRepository;
  outputs: OutputRepository;
  nodes: NodeStateRepository;
  approvals: ApprovalRepository;
  modelCalls: ModelCallRepository;
  attempts: AttemptRepository;
  meta: MetaRepository;
  users: UserRepository;
  audit: AuditRepository;
  webhooks: WebhookRepository;
  comments: CommentRepository;
}

export interface TransactionOptions {
  /**
   * Serializes transactions that name the same key across every process (PostgreSQL advisory lock; SQLite's
   * write transactions are exclusive anyway). E.g. seeding a new database once between two starting servers.
   */
  exclusiveKey?: string;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface Stores extends StoreSet {
  readonly kind: StoreKind;
  /** All-or-nothing: the callback's writes through `tx` commit together, or none does if it throws. */
  transaction<T>(fn: (tx: StoreSet) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Called after an event of a run is committed: by this process (SQLite), or by any process (PostgreSQL).
   * `undefined` means notifications may have been missed (a reconnect): every subscriber should look again.
   */
  onAppend(listener: (runId: string | undefined) => void): () => void;
  /** Called when a cancel request is committed by any process, where the store can tell (PostgreSQL); else never. */
  onCancel(listener: (runId: string | undefined) => void): () => void;
  /** A cheap round trip to the database (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
