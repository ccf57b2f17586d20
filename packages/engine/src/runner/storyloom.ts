// The Storyloom facade (runner/engine.ts): one database (the embedded SQLite file, or PostgreSQL shared by
// many machines) and any number of processes. Runs are stored, driven under a lease, observed through their
// event logs, decided, cancelled, resumed, rerun.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { randomBytes } from 'node:crypto';
import { type Actor, isUserRole, type UserRole } from '../contract/actor';
import type { ApprovalInboxEntry } from '../contract/api';
import { assigneesOf, assignmentOf, can, decisionRefusal, isAssignedTo } from '../contract/permissions';
import { RunComments } from '../comments/run-comments';
import { StoryloomError } from '../errors';
import { budgetCancelMessage, hasLimit, runBudget } from '../cost/budget';
import { loadPriceTable } from '../cost/price-file';
import { sumUsage } from '../cost/usage';
import type { PriceTable } from '../cost/prices';
import { checkExportOptions, exportDocument } from '../export/export-document';
import type { ExportOptions } from '../export/index';
import { baseUrlPolicy, checkRunModels } from '../models/run-models';
import { resolveModelSpec } from '../models/spec';
import { getNodeType } from '../nodes/catalogue';
import { outputSchemaOf } from '../nodes/types';
import { resolveNodeConfig } from '../pipeline/config';
import { topologicalOrder } from '../pipeline/graph';
import { resolveRunInputs } from '../pipeline/inputs';
import { BudgetSchema, type Pipeline } from '../pipeline/schema';
import { slotWrittenBy } from '../pipeline/slots';
import { requireValidPipeline } from '../pipeline/validate';
import { type AuditEntry, type NewAuditEntry, type RunRecord, type SqliteStores, type StoreSet, type Stores, type UserRecord } from '../store';
import { candidatesKey } from '../store/output-store';
import { ForeignWriteWatcher } from '../store/foreign-writes';
import { seedPipelines } from '../store/seed-pipelines';
import type {
  DriveOptions,
  ExportedDocument,
  ExportFormat,
  OrphanedRun,
  OrphanScanOptions,
  RunPage,
  RunPageRequest,
  SeedPipelinesResult,
  ShippedPipeline,
  StartRunChecks,
  Storyloom,
  StoryloomOptions,
} from './engine';
import { checkpointSaverFor, openStoresWithCheckpoints, sqliteSaver } from './checkpoint-saver';
import { decodeRunCursor, encodeRunCursor } from './run-cursor';
import { checkedLeaseTtl, defaultOwnerId, LEASE_TTL_MS, leaseIsDead } from './lease';
import { needsNewDriver } from './orphans';
import { outputProblem, planRerun } from './rerun';
import { hashToken, newUserToken, USER_NAME_PATTERN } from './people';
import { RecentAnswer } from './recent-answer';
import { buildRunView } from './run-view';
import { approvalNodeOf, askAgainAfterRefusal, budgetedNodeOf, budgetKey } from './budget-gate';
import { Webhooks } from '../webhooks/webhooks';
import type { ApprovalDecision, Budget, PipelineCost, RerunRequest, RunEvent, RunEventData, RunStatus, RunView, StartRunRequest } from './types';

/** The longest period a cost report covers. */
const MAX_COST_DAYS = 366;

/** How often a subscriber looks for events written by other processes it was not told about. */
const SUBSCRIBE_POLL_MS = 100;
/** With PostgreSQL, committed events are announced to every server: polling is only a fallback. */
const NOTIFIED_SUBSCRIBE_POLL_MS = 1_000;
/**
 * How long `hasUsers` trusts its last look at the users table. Servers ask on every request without a token;
 * a user added or revoked by another process (the CLI, another server) counts within this long.
 */
export const USERS_RECHECK_MS = 1_000;

// LangGraph (the driver, its graph compiler and the checkpointers) is loaded by the first `drive`, not at
// import: it is most of the engine's load time, and reading runs, deciding and exporting never need it.
/* eslint-disable @typescript-eslint/no-require-imports */
const runDriver = () => require('./driver') as typeof import('./driver');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Loads the runner (LangGraph and the embedded checkpointer) now rather than on the first `drive`: a server
 * calls it once it listens, so the first run it drives, or takes over from a dead process, starts at once.
 */
export function preloadRunner(): void {
  runDriver();
  sqliteSaver();
}

/** Opens the database (`databaseUrl`, else the SQLite file at `dbPath`), migrating its schema if needed. */
export async function openStoryloom(options: StoryloomOptions): Promise<Storyloom> {
  if (options.databaseUrl === undefined && options.dbPath === undefined) {
    throw new StoryloomError('invalid_input', 'openStoryloom needs a dbPath (SQLite file) or a databaseUrl (postgres://…)');
  }
  const leaseTtlMs = checkedLeaseTtl(options.leaseTtlMs ?? LEASE_TTL_MS, 'leaseTtlMs'); // before anything is opened
  const prices = options.prices ?? loadPriceTable(options.env?.STORYLOOM_PRICES);
  const stores = await openStoresWithCheckpoints(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : { dbPath: options.dbPath! });
  return new StoreBackedStoryloom(stores, { ...options, leaseTtlMs }, prices);
}

class StoreBackedStoryloom implements Storyloom {
  private checkpointer: BaseCheckpointSaver | undefined;
  private readonly ownerId: string;
  private readonly driving = new Map<string, Promise<RunView>>();
  private readonly subscriptions = new Set<() => void>();
  private closed = false;
  /** SQLite: one watcher for other processes' commits shared by all subscribers (see watchOtherProcesses). */
  private foreignWrites: ForeignWriteWatcher | undefined;
  private readonly activeUsers: RecentAnswer<boolean>;
  readonly webhooks: Webhooks;
  readonly comments: RunComments;

  constructor(
    private readonly stores: Stores,
    private readonly options: StoryloomOptions,
    private readonly prices: PriceTable,
  ) {
    this.ownerId = options.ownerId ?? defaultOwnerId();
    this.activeUsers = new RecentAnswer(() => stores.users.hasActive(), USERS_RECHECK_MS);
    this.webhooks = new Webhooks(stores);
    this.comments = new RunComments({ stores, decide: (runId, nodeId, decision, actor) => this.decide(runId, nodeId, decision, actor), view: (runId) => this.view(runId) });
  }

  get pipelines() {
    return this.stores.pipelines;
  }

  get storeKind() {
    return this.stores.kind;
  }

  ping(): Promise<void> {
    return this.stores.ping();
  }

  countRunsByStatus(): Promise<Partial<Record<RunStatus, number>>> {
    return this.stores.runs.countByStatus();
  }

  async startRun(request: StartRunRequest, checks: StartRunChecks = {}): Promise<RunView> {
    const { document, version, draftLabel } = await this.pipelineToRun(request);
    const pipeline = checkedPipeline(document, draftLabel);
    const { inputs, problems } = resolveRunInputs(pipeline, request.inputs ?? {});
    if (problems.length > 0) throw new StoryloomError('invalid_input', problems.map((problem) => problem.message).join('; '), problems);
    const env = this.options.env ?? {};
    const modelLabel = checks.modelLabel ?? 'model';
    if (request.model !== undefined) checkModel(request.model, env, modelLabel); // even when no node uses a model
    const budget = runBudget(pipeline.budget, request.budget === undefined ? undefined : checkedBudget(request.budget));
    for (const node of pipeline.nodes) resolveNodeConfig(node, inputs); // config that needs inputs fails now, not mid-run
    // What the request says is checked first; then whether this environment can serve every model the run
    // uses, refused now rather than at the first model call.
    checkRunModels(pipeline, request.model, env, {
      runModelLabel: modelLabel,
      baseUrls: baseUrlPolicy(env, { restricted: checks.restrictBaseUrls === true }),
    });
    const id = newRunId();
    const pipelineId = request.pipelineId ?? pipeline.id;
    await this.stores.transaction(async (tx) => {
      await tx.runs.insert({
        id,
        pipelineId,
        version,
        inputs,
        model: request.model,
        pipeline,
        autoApprove: request.autoApprove === true,
        ...(budget ? { budget } : {}),
        ...(request.startedBy ? { startedBy: request.startedBy } : {}),
      });
      if (request.startedBy) {
        await tx.audit.record({ action: 'run.started', actor: request.startedBy, pipelineId, runId: id, detail: { version } });
      }
    });
    return this.view(id);
  }

  async drive(runId: string, options: DriveOptions = {}): Promise<RunView> {
    await this.runRecord(runId);
    // Already driven here: a decision may have arrived after that pass looked, so drive once more after it.
    const current = this.driving.get(runId);
    if (current) return current.catch(() => undefined).then(() => this.drive(runId, options));
    const { modelTimeoutMs, maxRetries, observer } = this.options;
    const settings = { env: this.options.env ?? {}, prices: this.prices, modelTimeoutMs, maxRetries, observer };
    const { driveRun } = runDriver();
    const deps = { stores: this.stores, checkpointer: this.checkpointSaver(), settings, ownerId: this.ownerId, leaseTtlMs: this.options.leaseTtlMs };
    const driven = driveRun(deps, runId, options.signal)
      .then(() => this.view(runId))
      .finally(() => this.driving.delete(runId));
    this.driving.set(runId, driven);
    return driven;
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    const run = await this.stores.runs.get(runId);
    return run && buildRunView(this.stores, run);
  }

  async listRuns(filter: { pipelineId?: string; status?: RunStatus } = {}): Promise<RunView[]> {
    const runs = await this.stores.runs.list(filter);
    return Promise.all(runs.map((run) => buildRunView(this.stores, run)));
  }

  async listRunsPage({ limit, cursor, ...filter }: RunPageRequest): Promise<RunPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new StoryloomError('invalid_input', `limit must be a whole number of at least 1, got ${limit}`);
    const page = await this.stores.runs.page(filter, limit, cursor === undefined ? undefined : decodeRunCursor(cursor));
    const last = page.runs.at(-1);
    return {
      runs: await Promise.all(page.runs.map((run) => buildRunView(this.stores, run))),
      ...(page.more && last ? { nextCursor: encodeRunCursor(last) } : {}),
    };
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    await this.runRecord(runId);
    return this.stores.events.list(runId, afterSeq);
  }

  /**
   * Delivers each event once, in `seq` order, with no gaps: every delivery reads the log after the last
   * `seq` delivered, one read at a time. Events committed by this process (and, on PostgreSQL, by any
   * process) trigger a read at once; other processes' SQLite commits are noticed by a shared watcher.
   * `afterSeq` (extension): replay from there first; by default only events after the current end.
   */
  subscribe(runId: string, listener: (event: RunEvent) => void, afterSeq?: number): () => void {
    let last = afterSeq;
    let active = true;
    let reading = false;
    let again = false;
    const pump = async (): Promise<void> => {
      if (!active || this.closed) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          last ??= await this.stores.events.lastSeq(runId);
          for (const event of await this.stores.events.list(runId, last)) {
            if (!active) return;
            last = event.seq;
            listener(event);
          }
        } while (again && active);
      } catch {
        // The database is unreachable for a moment: the timer reads again.
      } finally {
        reading = false;
      }
    };
    const stopListening = this.stores.onAppend((id) => (id === runId || id === undefined) && void pump());
    const stopWatching = this.watchOtherProcesses(() => void pump());
    const unsubscribe = () => {
      active = false;
      stopWatching();
      stopListening();
      this.subscriptions.delete(unsubscribe);
    };
    this.subscriptions.add(unsubscribe);
    // Without `afterSeq` the current end is fixed now, before any event this caller then causes.
    void pump();
    return unsubscribe;
  }

  async pendingApprovals(actor?: Actor): Promise<ApprovalInboxEntry[]> {
    const runs = new Map<string, Promise<RunRecord | undefined>>();
    const runOf = (id: string) => {
      if (!runs.has(id)) runs.set(id, this.stores.runs.get(id));
      return runs.get(id)!;
    };
    const result: ApprovalInboxEntry[] = [];
    for (const approval of await this.stores.approvals.pending()) {
      const run = await runOf(approval.runId);
      // A cancelled run's open requests are not anyone's to decide (until it is resumed).
      if (!run || run.status === 'cancelled') continue;
      const assignment = assignmentOf(run.pipeline.nodes.find((node) => node.id === approval.nodeId)?.approval);
      const assignedTo = assigneesOf(assignment);
      result.push({
        runId: approval.runId,
        pipelineId: run.pipelineId,
        nodeId: approvalNodeOf(approval.nodeId),
        ...(budgetedNodeOf(approval.nodeId) !== undefined ? { kind: 'budget' as const } : {}),
        draft: (await this.stores.outputs.get(approval.runId, approval.nodeId, approval.attempt))?.output,
        requestedAt: approval.requestedAt,
        ...(run.startedBy ? { startedBy: run.startedBy } : {}),
        ...(assignedTo ? { assignedTo } : {}),
        ...(actor ? { mine: isAssignedTo(actor, assignment) } : {}),
      });
    }
    return result;
  }

  async decide(runId: string, nodeId: string, decision: ApprovalDecision, actor?: Actor): Promise<RunView> {
    const run = await this.runRecord(runId);
    const node = run.pipeline.nodes.find((candidate) => candidate.id === nodeId);
    if (!node) throw new StoryloomError('not_found', `run '${runId}' has no node '${nodeId}'`);
    if (run.status === 'cancelled') throw new StoryloomError('conflict', `run '${runId}' is cancelled; resume it before deciding '${nodeId}'`);
    if ((await this.stores.approvals.pending(runId)).some((approval) => approval.nodeId === budgetKey(nodeId))) return this.decideBudget(run, nodeId, decision, actor);
    const checked = checkDecision(decision, run, nodeId);
    if (actor) await checkDecider(this.stores, run, nodeId, checked.decision, actor);
    await this.stores.transaction(async (tx) => {
      await tx.runs.lock(runId); // a driver settling the run waits for this decision, or this waits for it
      const pending = (await tx.approvals.pending(runId)).find((approval) => approval.nodeId === nodeId);
      if (!pending) throw new StoryloomError('conflict', `node '${nodeId}' of run '${runId}' is not waiting for a decision`);
      const chosen = checked.decision === 'choose' ? await chosenCandidate(tx, run, nodeId, pending.attempt, checked) : undefined;
      if (!(await tx.approvals.decide(runId, nodeId, checked))) {
        throw new StoryloomError('conflict', `node '${nodeId}' of run '${runId}' is not waiting for a decision`);
      }
      const data: RunEventData<'approval.resolved'> = { attempt: pending.attempt, decision: checked.decision };
      if (checked.decision === 'edit') {
        await tx.outputs.put({ runId, nodeId, attempt: pending.attempt + 1, source: 'edit', output: checked.output });
      }
      if (checked.decision === 'choose') {
        data.candidate = checked.candidate;
        await tx.outputs.put({ runId, nodeId, attempt: pending.attempt + 1, source: 'edit', output: chosen });
      }
      if (checked.decision === 'reject') data.feedback = checked.feedback;
      if (actor) data.actor = actor;
      await tx.events.append(runId, {
        type: 'approval.resolved',
        nodeId,
        data,
        outputAttempt: checked.decision === 'edit' || checked.decision === 'choose' ? pending.attempt + 1 : undefined,
        ...(actor ? { actor } : {}),
      });
      if (actor) {
        const { attempt, actor: _who, ...detail } = data;
        await tx.audit.record({ action: 'approval.decided', actor, pipelineId: run.pipelineId, runId, nodeId, detail: { ...detail, attempt } });
      }
    });
    return this.view(runId);
  }

  /**
   * A node waiting at the run's budget: approve lets it run, with the limits `budget` names raised (or, without
   * one, with no budget from now on); reject cancels the run there.
   */
  private async decideBudget(run: RunRecord, nodeId: string, decision: ApprovalDecision, actor?: Actor): Promise<RunView> {
    const checked = checkBudgetDecision(decision, nodeId);
    // Going on past a budget spends money: it is for those who run pipelines, whoever the node's own gate is for.
    if (actor && !can(actor.role, 'author')) {
      throw new StoryloomError('forbidden', `${actor.name} is a ${actor.role}: only owners and editors let a run go on past its budget or stop it there`);
    }
    const key = budgetKey(nodeId);
    await this.stores.transaction(async (tx) => {
      const current = (await tx.runs.lock(run.id))!;
      const pending = (await tx.approvals.pending(run.id)).find((approval) => approval.nodeId === key);
      if (!pending || !(await tx.approvals.decide(run.id, key, checked))) {
        throw new StoryloomError('conflict', `node '${nodeId}' of run '${run.id}' is not waiting for a decision`);
      }
      const data: RunEventData<'approval.resolved'> = { attempt: pending.attempt, decision: checked.decision, kind: 'budget', ...(actor ? { actor } : {}) };
      if (actor) {
        const detail = { decision: checked.decision, kind: 'budget', attempt: pending.attempt };
        await tx.audit.record({ action: 'approval.decided', actor, pipelineId: run.pipelineId, runId: run.id, nodeId, detail });
      }
      if (checked.decision === 'approve') {
        // Without new limits none applies from now on; the empty budget kept says the run had one (its graph
        // keeps the budget entries where decisions re-enter).
        const budget = checked.budget ? { ...current.budget, ...checked.budget } : {};
        await tx.runs.setBudget(run.id, budget);
        data.budget = hasLimit(budget) ? budget : null;
        await tx.events.append(run.id, { type: 'approval.resolved', nodeId, data, ...(actor ? { actor } : {}) });
        return;
      }
      if (checked.decision === 'reject' && checked.feedback) data.feedback = checked.feedback;
      await tx.approvals.markApplied(run.id, key, pending.attempt);
      await tx.nodes.set(run.id, nodeId, { status: 'pending' });
      await tx.events.append(run.id, { type: 'approval.resolved', nodeId, data, ...(actor ? { actor } : {}) });
      await tx.runs.requestCancel(run.id, actor);
      const driven = current.status === 'running' && current.lease !== undefined && !leaseIsDead(current.lease);
      if (!driven) {
        // Its other branches are not running: it ends here (a driving process ends it when it sees the flag).
        await tx.runs.setStatus(run.id, 'cancelled', budgetCancelMessage(nodeId));
        await tx.events.append(run.id, { type: 'run.cancelled', data: { reason: 'budget', nodeId }, ...(actor ? { actor } : {}) });
      }
    });
    return this.view(run.id);
  }

  async cancel(runId: string, actor?: Actor): Promise<RunView> {
    const run = await this.runRecord(runId);
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') {
      throw new StoryloomError('conflict', `run '${runId}' is ${run.status}; only a queued, running or waiting run can be cancelled`);
    }
    await this.stores.transaction(async (tx) => {
      const current = (await tx.runs.lock(runId))!;
      await tx.runs.requestCancel(runId, actor);
      const driven = current.status === 'running' && current.lease !== undefined && !leaseIsDead(current.lease);
      if (!driven) {
        // Nobody is executing it: it ends here. A driving process notices the flag and ends it itself.
        await tx.runs.setStatus(runId, 'cancelled', 'cancelled');
        await tx.events.append(runId, { type: 'run.cancelled', data: {}, ...(actor ? { actor } : {}) });
      }
      if (actor) await tx.audit.record({ action: 'run.cancelled', actor, pipelineId: run.pipelineId, runId });
    });
    return this.view(runId);
  }

  async resume(runId: string, actor?: Actor): Promise<RunView> {
    // Looked at with the run row locked: a process taking the lease meanwhile is either seen here or comes after.
    await this.stores.transaction(async (tx) => {
      const run = await tx.runs.lock(runId);
      if (!run) throw new StoryloomError('not_found', `no run '${runId}'`);
      const live = run.lease !== undefined && !leaseIsDead(run.lease);
      if (run.status === 'completed' || (run.status === 'running' && live)) {
        throw new StoryloomError('conflict', `run '${runId}' is ${run.status}${live ? ` (driven by ${run.lease!.owner})` : ''}; nothing to resume`);
      }
      if (run.status === 'failed' || run.status === 'cancelled' || run.status === 'running') {
        await tx.runs.clearCancel(runId);
        await tx.runs.setStatus(runId, 'queued');
        // Its other branches go on when driven; a node a person would not let past the budget waits again.
        await askAgainAfterRefusal(tx, run);
      }
      if (actor) await tx.audit.record({ action: 'run.resumed', actor, pipelineId: run.pipelineId, runId, detail: { from: run.status } });
    });
    return this.view(runId);
  }

  async pipelineCost(pipelineId: string, days: number): Promise<PipelineCost> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_COST_DAYS) {
      throw new StoryloomError('invalid_input', `days must be a whole number from 1 to ${MAX_COST_DAYS}, got ${days}`);
    }
    const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const daily = await this.stores.attempts.dailyUsage(pipelineId, since);
    const runs = await this.stores.attempts.spendingRuns(pipelineId, since);
    return { pipelineId, since, days, total: { ...sumUsage(daily), runs }, daily };
  }

  async rerun(runId: string, request: RerunRequest, actor?: Actor): Promise<RunView> {
    const parent = await this.runRecord(runId);
    const plan = await planRerun(this.stores, parent, request);
    checkedPipeline(plan.pipeline);
    // A new run spends afresh, under the limits its parent ran under (as a person raised them), or its pipeline's.
    const budget = runBudget(plan.pipeline.budget, parent.budget);
    const id = newRunId();
    await this.stores.transaction(async (tx) => {
      await tx.runs.insert({
        id,
        pipelineId: parent.pipelineId,
        version: parent.version,
        inputs: parent.inputs,
        model: parent.model,
        pipeline: plan.pipeline,
        autoApprove: parent.autoApprove,
        parentRunId: parent.id,
        ...(budget ? { budget } : {}),
        ...(actor ? { startedBy: actor } : {}),
      });
      if (actor) {
        const edited = [...plan.edits.keys()];
        const detail = { parentRunId: parent.id, from: request.from, ...(edited.length > 0 ? { edited } : {}) };
        await tx.audit.record({ action: 'run.rerun', actor, pipelineId: parent.pipelineId, runId: id, detail });
      }
      for (const [nodeId, attempt] of plan.reused) await tx.outputs.putReference(id, nodeId, { runId: parent.id, attempt });
      for (const [nodeId, output] of plan.edits) await tx.outputs.put({ runId: id, nodeId, attempt: 1, source: 'edit', output });
    });
    return this.view(id);
  }

  async exportRun(runId: string, format: ExportFormat, options: ExportOptions = {}): Promise<ExportedDocument> {
    const run = await this.runRecord(runId);
    checkExportOptions(options);
    const memory: Record<string, unknown> = {};
    const records = new Map((await this.stores.nodes.list(runId)).map((record) => [record.nodeId, record]));
    const nodes = new Map(run.pipeline.nodes.map((node) => [node.id, node]));
    for (const id of topologicalOrder(run.pipeline)) {
      const record = records.get(id);
      const node = nodes.get(id)!;
      const slot = slotWrittenBy(node);
      if (!slot || record?.attempt === undefined || (record.status !== 'completed' && record.status !== 'reused')) continue;
      memory[slot] = (await this.stores.outputs.get(runId, id, record.attempt))?.output;
    }
    try {
      return await exportDocument(format, memory, options);
    } catch (error) {
      throw new StoryloomError('conflict', `run '${runId}' cannot be exported as ${format} yet: ${(error as Error).message}`);
    }
  }

  async orphanedRuns(options: OrphanScanOptions = {}): Promise<RunView[]> {
    return Promise.all((await this.orphanedRunRefs(options)).map((run) => this.view(run.id)));
  }

  async orphanedRunRefs(options: OrphanScanOptions = {}): Promise<OrphanedRun[]> {
    const now = Date.now();
    const statuses: RunStatus[] = options.undrivenForMs === undefined ? ['running'] : ['running', 'queued', 'waiting'];
    const candidates = (await this.stores.runs.driveStates(statuses)).filter((run) => !this.driving.has(run.id) && !options.exclude?.(run.id));
    const orphans: OrphanedRun[] = [];
    for (const run of candidates) {
      const hasDecisionToApply = async () => (await this.stores.approvals.decidedNotApplied(run.id)).length > 0;
      if (await needsNewDriver(run, hasDecisionToApply, options, now)) {
        orphans.push({ id: run.id, status: run.status, ...(run.lease ? { leaseEpoch: run.lease.epoch } : {}) });
      }
    }
    return orphans;
  }

  async addUser(name: string, role: UserRole): Promise<{ user: UserRecord; token: string }> {
    if (!USER_NAME_PATTERN.test(name)) {
      throw new StoryloomError('invalid_input', `user name ${JSON.stringify(name)} is not valid: 1–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
    }
    if (!isUserRole(role)) throw new StoryloomError('invalid_input', `role must be owner, editor, reviewer or viewer, got ${JSON.stringify(role)}`);
    const token = newUserToken();
    const user = await this.stores.transaction(async (tx) => {
      const added = await tx.users.add({ id: `user-${randomBytes(8).toString('hex')}`, name, role });
      await tx.users.addToken(added.id, hashToken(token));
      return added;
    });
    this.activeUsers.forget();
    return { user, token };
  }

  async issueToken(name: string): Promise<string> {
    const user = await this.requireUser(name);
    const token = newUserToken();
    await this.stores.users.addToken(user.id, hashToken(token));
    return token;
  }

  async revokeUser(name: string): Promise<UserRecord> {
    const user = await this.requireUser(name);
    await this.stores.users.revoke(user.name);
    this.activeUsers.forget();
    return { ...user, revokedAt: new Date().toISOString() };
  }

  listUsers(): Promise<UserRecord[]> {
    return this.stores.users.list();
  }

  userForToken(token: string): Promise<UserRecord | undefined> {
    return this.stores.users.byTokenHash(hashToken(token));
  }

  hasUsers(): Promise<boolean> {
    return this.activeUsers.get();
  }

  recordAudit(entry: NewAuditEntry): Promise<void> {
    return this.stores.audit.record(entry);
  }

  audit(filter: { pipelineId?: string; runId?: string }): Promise<AuditEntry[]> {
    return this.stores.audit.list(filter);
  }

  seedPipelines(shipped: readonly ShippedPipeline[]): Promise<SeedPipelinesResult> {
    return seedPipelines(this.stores, shipped);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const unsubscribe of [...this.subscriptions]) unsubscribe();
    this.foreignWrites?.stop();
    await this.stores.close();
  }

  /**
   * Calls `pump` when another process may have appended events. SQLite: one shared watcher of the file's
   * `data_version`, which reads nothing per subscriber while no other process writes (instead of one event
   * query per subscriber every SUBSCRIBE_POLL_MS). PostgreSQL announces commits; a slow timer is the fallback.
   */
  private watchOtherProcesses(pump: () => void): () => void {
    if (this.stores.kind === 'sqlite') {
      this.foreignWrites ??= new ForeignWriteWatcher((this.stores as SqliteStores).db, SUBSCRIBE_POLL_MS);
      return this.foreignWrites.watch(pump);
    }
    const timer = setInterval(pump, NOTIFIED_SUBSCRIBE_POLL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private checkpointSaver(): BaseCheckpointSaver {
    this.checkpointer ??= checkpointSaverFor(this.stores);
    return this.checkpointer;
  }

  /**
   * The document a run starts from: the request's own, else the saved pipeline it names. A saved version stored
   * as a draft is labelled, so refusing to run it says why it is invalid.
   */
  private async pipelineToRun(request: StartRunRequest): Promise<{ document: unknown; version: number | null; draftLabel?: string }> {
    const wanted = request.version ?? undefined;
    const saved = request.pipelineId === undefined || (request.pipeline !== undefined && wanted === undefined) ? undefined : await this.stores.pipelines.get(request.pipelineId, wanted);
    if (request.pipeline === undefined && !saved) {
      if (request.pipelineId === undefined) throw new StoryloomError('invalid_input', 'a run needs a pipeline: an inline "pipeline" or the "pipelineId" of a saved one');
      throw new StoryloomError('not_found', `no pipeline '${request.pipelineId}'${wanted === undefined ? '' : ` version ${wanted}`}`);
    }
    const draftLabel = saved && !saved.valid ? `saved pipeline '${saved.id}' v${saved.version} is a draft` : undefined;
    if (request.pipeline !== undefined) return { document: request.pipeline, version: request.version ?? null, ...(draftLabel ? { draftLabel } : {}) };
    return { document: saved!.pipeline, version: saved!.version, ...(draftLabel ? { draftLabel } : {}) };
  }

  private async requireUser(name: string): Promise<UserRecord> {
    const user = await this.stores.users.find(name);
    if (!user) throw new StoryloomError('not_found', `no active user '${name}'`);
    return user;
  }

  async requireRun(runId: string): Promise<RunView> {
    return this.view(runId);
  }

  private async runRecord(runId: string): Promise<RunRecord> {
    const run = await this.stores.runs.get(runId);
    if (!run) throw new StoryloomError('not_found', `no run '${runId}'`);
    return run;
  }

  private async view(runId: string): Promise<RunView> {
    return buildRunView(this.stores, await this.runRecord(runId));
  }
}

/**
 * Short (it is repeated in every event and output row) and growing with time (so rows keyed by run append at
 * the end of their B-trees): milliseconds in base 36, then 48 random bits.
 */
function newRunId(): string {
  return `run-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** `draftLabel` names a saved draft version: its message then says to fix the problems and save before running. */
function checkedPipeline(document: unknown, draftLabel?: string): Pipeline {
  return requireValidPipeline(document, draftLabel ? { label: draftLabel, hint: 'fix them and save a valid version to run it' } : {});
}

function checkModel(model: unknown, env: NonNullable<StoryloomOptions['env']>, label: string): void {
  try {
    resolveModelSpec([model as never], env);
  } catch (error) {
    throw new StoryloomError('invalid_input', `${label}: ${(error as Error).message}`);
  }
}

/**
 * 'forbidden' unless `actor` may make this decision: their role decides approvals, the gate is theirs, and with
 * `separateReviewer` they neither started the run nor edited this node's output in it.
 */
async function checkDecider(stores: StoreSet, run: RunRecord, nodeId: string, decision: string, actor: Actor): Promise<void> {
  const assignment = assignmentOf(run.pipeline.nodes.find((node) => node.id === nodeId)?.approval);
  const authors: Actor[] = run.startedBy ? [run.startedBy] : [];
  if (assignment?.separateReviewer) {
    for (const entry of await stores.audit.list({ runId: run.id })) {
      if (entry.action === 'approval.decided' && entry.nodeId === nodeId && (entry.detail.decision === 'edit' || entry.detail.decision === 'choose')) {
        authors.push(entry.actor);
      }
    }
  }
  const refusal = decisionRefusal(actor, nodeId, assignment, authors, decision);
  if (refusal) throw new StoryloomError('forbidden', refusal);
}

/** A budget given with a run or a decision, checked like a pipeline's. */
function checkedBudget(value: unknown): Budget {
  const parsed = BudgetSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${['budget', ...issue.path].join('.')}: ${issue.message}`);
  throw new StoryloomError('invalid_input', problems.join('; '));
}

/** At a budget approval a person approves (optionally with new limits) or rejects; nothing else applies. */
function checkBudgetDecision(decision: ApprovalDecision, nodeId: string): ApprovalDecision {
  const kind = (decision as { decision?: unknown } | undefined)?.decision;
  if (kind === 'approve') {
    const budget = (decision as { budget?: unknown }).budget;
    return budget === undefined ? { decision: 'approve' } : { decision: 'approve', budget: checkedBudget(budget) };
  }
  if (kind === 'reject') {
    const feedback = (decision as { feedback?: unknown }).feedback;
    return { decision: 'reject', feedback: typeof feedback === 'string' ? feedback : '' };
  }
  throw new StoryloomError(
    'invalid_input',
    `'${nodeId}' waits at the run's budget: decide "approve" (optionally with a new "budget": { maxTokens?, maxCostUsd? }) or "reject" (cancels the run), got ${JSON.stringify(kind)}`,
  );
}

/** The output a `choose` keeps: its own edited output, else the candidate it names (which must exist). */
async function chosenCandidate(stores: StoreSet, run: RunRecord, nodeId: string, attempt: number, decision: { candidate: number; output?: unknown }): Promise<unknown> {
  const candidates = (await stores.outputs.get(run.id, candidatesKey(nodeId), attempt))?.output;
  if (!Array.isArray(candidates)) throw new StoryloomError('invalid_input', `node '${nodeId}' wrote no candidates to choose from; approve, edit or reject it`);
  if (decision.candidate >= candidates.length) {
    throw new StoryloomError('invalid_input', `node '${nodeId}' has candidates 0 to ${candidates.length - 1}; there is no candidate ${decision.candidate}`);
  }
  return decision.output ?? candidates[decision.candidate];
}

/** Shape of a decision, and an edit's output against the node type's output schema. */
function checkDecision(decision: ApprovalDecision, run: RunRecord, nodeId: string): ApprovalDecision {
  const kind = (decision as { decision?: unknown } | undefined)?.decision;
  if (kind === 'approve') return { decision: 'approve' };
  if (kind === 'reject') {
    const feedback = (decision as { feedback?: unknown }).feedback;
    if (typeof feedback !== 'string' || feedback.trim() === '') {
      throw new StoryloomError('invalid_input', `reject needs feedback: say what '${nodeId}' should change`);
    }
    return { decision: 'reject', feedback };
  }
  if (kind === 'edit') {
    const node = run.pipeline.nodes.find((candidate) => candidate.id === nodeId)!;
    const type = getNodeType(node.type)!;
    const parsed = outputSchemaOf(type, resolveNodeConfig(node, run.inputs)).safeParse((decision as { output?: unknown }).output);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => outputProblem(nodeId, node.type, issue));
      throw new StoryloomError('invalid_input', `edited output does not fit: ${problems.map((problem) => problem.message).join('; ')}`, problems);
    }
    return { decision: 'edit', output: parsed.data };
  }
  if (kind === 'choose') {
    const { candidate, output } = decision as { candidate?: unknown; output?: unknown };
    if (typeof candidate !== 'number' || !Number.isInteger(candidate) || candidate < 0) {
      throw new StoryloomError('invalid_input', `"choose" needs "candidate": the 0-based number of a candidate, got ${JSON.stringify(candidate)}`);
    }
    if (output === undefined) return { decision: 'choose', candidate };
    const edited = checkDecision({ decision: 'edit', output }, run, nodeId) as { output: unknown };
    return { decision: 'choose', candidate, output: edited.output };
  }
  throw new StoryloomError('invalid_input', `decision must be "approve", "edit", "reject" or "choose", got ${JSON.stringify(kind)}`);
}
