// CONTRACT STUB (lead): the runner helper implements `openStoryloom`; the CLI and server code against
// the `Storyloom` interface. Node-only (SQLite); exported from `@storyloom/engine/node`.
import type { Actor, UserRole } from '../contract/actor';
import type { ApprovalInboxEntry } from '../contract/api';
import type { AuditEntry, NewAuditEntry, UserRecord } from '../store/contract';
import type { Pipeline } from '../pipeline/schema';
import type { PipelineVersionInfo, StoredPipeline } from '../contract/stored-pipeline';
import type { ExportedDocument, ExportFormat } from '../contract/export-formats';
import type { ModelEnv } from '../models/caller';
import type { PriceTable } from '../cost/prices';
import type { ExportOptions } from '../export/index';
import type { RunComments } from '../comments/run-comments';
import type { Webhooks } from '../webhooks/webhooks';
import type { RunObserver } from './observer';
import type {
  PipelineCost,
  ApprovalDecision,
  RerunRequest,
  RunEvent,
  RunStatus,
  RunView,
  StartRunRequest,
} from './types';

export type { StoredPipeline, PipelineVersionInfo } from '../contract/stored-pipeline';

export interface SavePipelineOptions {
  /**
   * Store the document even if it fails validation, as a draft version (`valid: false` with its problems),
   * provided it meets the draft minimum (`draftProblems`); otherwise StoryloomError('invalid_pipeline').
   */
  draft?: boolean;
}

/**
 * Saved pipelines with every save kept as a version (owned by the server helper). A document that fails
 * validation is StoryloomError('invalid_pipeline') (details: every problem) unless saved as a draft.
 */
export interface PipelineStore {
  list(): Promise<StoredPipeline[]>;
  get(id: string, version?: number): Promise<StoredPipeline | undefined>;
  /** 409-style StoryloomError('conflict') if the id exists. */
  create(document: unknown, options?: SavePipelineOptions): Promise<StoredPipeline>;
  /** StoryloomError('conflict') when `baseVersion` is not the latest; 'invalid_input' if the document's id is not `id`. */
  save(id: string, document: unknown, baseVersion: number, options?: SavePipelineOptions): Promise<StoredPipeline>;
  versions(id: string): Promise<PipelineVersionInfo[]>;
  delete(id: string): Promise<boolean>;
}

export type { ExportFormat, TextExportFormat, ExportedDocument, TextDocument } from '../contract/export-formats';

/** How strictly the caller starting a run polices its models. */
export interface StartRunChecks {
  /** How the run's own model is named in refusals: `--model` on a command line; default `model`. */
  modelLabel?: string;
  /**
   * Only the configured model base URLs (and STORYLOOM_MODEL_BASE_URLS) may be named: a server shared by several
   * people must not call any URL it is given. Default false (a local single user).
   */
  restrictBaseUrls?: boolean;
}

export interface StoryloomOptions {
  /** SQLite file; created with its folder if missing. `:memory:` for throwaway use. Ignored with `databaseUrl`. */
  dbPath?: string;
  /** `postgres://…`: every durable thing (and LangGraph's checkpoints) in PostgreSQL, shared by many machines. */
  databaseUrl?: string;
  env?: ModelEnv;
  /** Identifies this process in run leases; defaults to host:pid. */
  ownerId?: string;
  /**
   * How long a run's lease lasts without renewal (default 15 s, at least 1 s; STORYLOOM_LEASE_TTL_MS in the
   * CLI and server): a driver that stalls longer may be displaced. Renewed every fifth of it.
   */
  leaseTtlMs?: number;
  /** What each model's tokens cost; default the shipped table with the file `env.STORYLOOM_PRICES` over it. */
  prices?: PriceTable;
  /** Per model-call attempt; default 120 s. */
  modelTimeoutMs?: number;
  maxRetries?: number;
  /** Told of every node execution and model call this process drives (for metrics). */
  observer?: RunObserver;
}

/** A shipped example pipeline: the document and where it came from (named in problems). */
export interface ShippedPipeline {
  source: string;
  document: unknown;
}

export interface SeedPipelinesResult {
  /** When this database was seeded (now, or by an earlier start). */
  seededAt: string;
  /** Seeded by an earlier start: nothing was done. */
  alreadySeeded: boolean;
  /** Ids of the pipelines created now. */
  created: string[];
  /** Ids of examples not created because a pipeline of that id is already saved. */
  existing: string[];
  /** Examples not created because they are not valid pipelines. */
  invalid: Array<{ source: string; reason: string }>;
}

export interface OrphanScanOptions {
  /**
   * Also runs that nobody picked up, unchanged for at least this many milliseconds: `queued` runs (their
   * starter died before driving them) and `waiting` runs with a decision not yet applied (the decider died
   * before driving on). 0 takes them all (a server starting on a database nobody else uses). Omitted: only
   * `running` runs whose driver is gone.
   */
  undrivenForMs?: number;
  /** Runs to leave out, e.g. those this process has already queued. */
  exclude?: (runId: string) => boolean;
}

/** A run that needs a driver, as an orphan scan finds it. */
export interface OrphanedRun {
  id: string;
  status: RunStatus;
  /** The epoch of the dead lease a `running` run was left under (a take-over is keyed by it). */
  leaseEpoch?: number;
}

export interface DriveOptions {
  signal?: AbortSignal;
}

/** The engine as the CLI, the server and the worker use it: one database (SQLite or PostgreSQL), many processes. */
export interface Storyloom {
  readonly pipelines: PipelineStore;
  /** Hooks told about approvals and finished runs, and the outbox their deliveries are sent from. */
  readonly webhooks: Webhooks;
  /** Review comment threads on runs' node outputs, and each run's review report. */
  readonly comments: RunComments;
  /** Which database holds the state: the embedded SQLite file, or PostgreSQL shared by many machines. */
  readonly storeKind: 'sqlite' | 'postgres';
  /** Throws if the database cannot be reached (health checks). */
  ping(): Promise<void>;
  /** How many runs are in each status (metrics). */
  countRunsByStatus(): Promise<Partial<Record<RunStatus, number>>>;

  /**
   * The one way a run starts. Resolves the pipeline (inline, or saved by id and version: 'not_found' when
   * there is none), validates it and the inputs ('invalid_pipeline' / 'invalid_input'), checks every model the
   * run will use ('invalid_input': an unknown provider, OpenAI with neither a key nor a base URL, a base URL
   * `checks` does not allow, a missing model file), resolves its budget, and stores it queued with who
   * started it. How it is then driven is the caller's choice.
   */
  startRun(request: StartRunRequest, checks?: StartRunChecks): Promise<RunView>;
  /**
   * Executes the run in this process until it completes, fails, is cancelled or waits for approval.
   * Takes the run's lease (StoryloomError 'lease_held' if a live process holds it, or if another process
   * takes the run over while this one stalls past its lease: this one then stops writing and leaves the run
   * to it). Applies decisions already stored for it. Never throws for a model failure: the run ends
   * `failed` with the message.
   */
  drive(runId: string, options?: DriveOptions): Promise<RunView>;
  getRun(runId: string): Promise<RunView | undefined>;
  /** The run, or StoryloomError('not_found') naming it: what every adapter answers a request about a run with. */
  requireRun(runId: string): Promise<RunView>;
  listRuns(filter?: { pipelineId?: string; status?: RunStatus }): Promise<RunView[]>;
  /** One page of runs, newest first; pass `nextCursor` back as `cursor` for the next (absent on the last page). */
  listRunsPage(request: RunPageRequest): Promise<RunPage>;
  /** Stored events after `afterSeq` (0 = from the start). */
  events(runId: string, afterSeq?: number): Promise<RunEvent[]>;
  /**
   * Live events of a run, wherever it is driven (this process: at once; another process: polled), each
   * once and in order. With `afterSeq` (runner extension) the stored events after it are replayed first,
   * with no gap or duplicate between replay and live (use it for SSE with Last-Event-ID).
   */
  subscribe(runId: string, listener: (event: RunEvent) => void, afterSeq?: number): () => void;
  /** Every pending approval across runs; with `actor`, each says whether it is theirs (`mine`). */
  pendingApprovals(actor?: Actor): Promise<ApprovalInboxEntry[]>;
  /**
   * Stores a decision; 'conflict' if the node is not waiting (a second decision loses), 'invalid_input'
   * if an edit does not fit the output schema, 'forbidden' if `actor` may not decide this gate (their role,
   * the gate's assignment, or its `separateReviewer`). The run is then driven by whoever calls `drive`.
   * Every change below names its `actor` in the events it causes and in the audit list.
   */
  decide(runId: string, nodeId: string, decision: ApprovalDecision, actor?: Actor): Promise<RunView>;
  /** Requests cancellation; a driving process stops promptly, also inside a streaming model call. */
  cancel(runId: string, actor?: Actor): Promise<RunView>;
  /** Makes a failed, cancelled-while-running or interrupted run drivable again ('conflict' otherwise). */
  resume(runId: string, actor?: Actor): Promise<RunView>;
  /**
   * What the runs of a pipeline spent per day (UTC) over the last `days` days, today included, with the total;
   * 'invalid_input' unless `days` is a whole number from 1 to 366.
   */
  pipelineCost(pipelineId: string, days: number): Promise<PipelineCost>;
  /** A new queued run with `parentRunId` that reuses every output not downstream of what changed. */
  rerun(runId: string, request: RerunRequest, actor?: Actor): Promise<RunView>;
  /** Adds a user with a first API token, returned here only ('conflict' if the name is taken, 'invalid_input' for a bad name or role). */
  addUser(name: string, role: UserRole): Promise<{ user: UserRecord; token: string }>;
  /** Another API token for an active user ('not_found' if there is none of that name). */
  issueToken(name: string): Promise<string>;
  /** Revokes the active user of that name ('not_found' if there is none): their tokens stop working. */
  revokeUser(name: string): Promise<UserRecord>;
  listUsers(): Promise<UserRecord[]>;
  /** The active user holding this token. */
  userForToken(token: string): Promise<UserRecord | undefined>;
  /**
   * Whether any user is active (a server with none stays in single-user mode). Answered from memory for up to
   * USERS_RECHECK_MS: this engine's own addUser and revokeUser count at once, other processes' within that.
   */
  hasUsers(): Promise<boolean>;
  recordAudit(entry: NewAuditEntry): Promise<void>;
  /** Who did what to a pipeline (its saves and its runs) or to one run, oldest first. */
  audit(filter: { pipelineId?: string; runId?: string }): Promise<AuditEntry[]>;
  /** 'conflict' when the run has nothing to export in that format yet; 'invalid_input' for a bad option. */
  exportRun(runId: string, format: ExportFormat, options?: ExportOptions): Promise<ExportedDocument>;
  /**
   * Runs that need a driver and have none, oldest first: `running` under a lease whose holder is gone
   * (expired, or its process on this host exited, zombies included, or was replaced by a reused pid), and
   * with `undrivenForMs` also runs left queued or with a decision to apply (see OrphanScanOptions). A server
   * calls it at start and then about once per lease renewal, and drives what it returns.
   */
  orphanedRuns(options?: OrphanScanOptions): Promise<RunView[]>;
  /** `orphanedRuns` without reading each run: id, status and dead lease's epoch (what a scan that only enqueues needs). */
  orphanedRunRefs(options?: OrphanScanOptions): Promise<OrphanedRun[]>;
  /**
   * Saves the shipped example pipelines not saved yet, once per database (recorded in it): later calls do
   * nothing, so a deleted example stays deleted. Invalid examples are skipped and reported, never thrown.
   */
  seedPipelines(shipped: readonly ShippedPipeline[]): Promise<SeedPipelinesResult>;
  close(): Promise<void>;
}

// `openStoryloom(options: StoryloomOptions): Promise<Storyloom>` is implemented in ./storyloom.ts and exported from
// `@storyloom/engine/node` (src/node.ts). It is not re-exported here: browser-safe modules import types from
// this file, and a runtime re-export would pull SQLite into their import graph.

export interface RunPageRequest {
  pipelineId?: string;
  status?: RunStatus;
  /** Runs per page (at least 1). */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface RunPage {
  runs: RunView[];
  nextCursor?: string;
}
