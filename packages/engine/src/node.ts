// Node-only entry point: SQLite stores, the runner and model providers.
// LangChain (core, the providers, LangGraph) is loaded when a run is driven or a model called, not when this
// module is imported: it is most of a second of load time that reading runs, deciding and exporting never need.
import type { ModelCaller } from './nodes/types';
import type { ModelCallerOptions } from './models/caller';

export * from './index';
export * from './runner/engine';
export type { RunObserver, NodeExecutionInfo, ModelCallInfo } from './runner/observer';
export { openStoryloom, preloadRunner, USERS_RECHECK_MS } from './runner/storyloom';
export { migrateDatabase, type MigrateOptions, type MigrateResult } from './runner/migrate-database';
// The lease and orphan rules, for adapters that recover runs (a server's scan, a reconciler).
export { LEASE_TTL_MS, MIN_LEASE_TTL_MS, leaseIsDead, leaseRenewMs, leaseTtlFromEnv } from './runner/lease';
export { needsNewDriver } from './runner/orphans';
// Whether a failure was the database being out of reach (answered as 503 by the HTTP API, not as a bug).
export { isDatabaseUnreachable, DatabaseUnreachableError, OUTAGE_WINDOW_MS } from './store/unreachable';
export { advanceRun } from './runner/advance-run';
export { USER_NAME_PATTERN, apiKeyActor, hashToken, localActor, newUserToken } from './runner/people';
export { processIsAlive, processStartTime } from './runner/process-liveness';
export { exportDocument, checkExportOptions } from './export/export-document';
export * from './models/spec'; // resolveModelSpec, availableModels, describeModel, … (no LangChain)
export * from './models/run-models'; // checkRunModels, baseUrlPolicy (no LangChain)
export type { ModelCallHooks, ModelCallerOptions } from './models/caller';
export { Webhooks, type NewWebhookRequest } from './webhooks/webhooks';
export { RunComments, type NewThreadRequest } from './comments/run-comments';
export { signWebhookBody, verifyWebhookSignature, SIGNATURE_HEADER } from './webhooks/signature';
export { webhookHostPolicy, checkWebhookUrl, canonicalHost, WEBHOOK_HOSTS_VARIABLE } from './webhooks/host-policy';
export { DEFAULT_RETRY_SCHEDULE, nextRetryDelay, type RetrySchedule } from './webhooks/retry-schedule';
export { isAllowed, type AllowList } from './security/allow-list';
export type { DueDelivery, DeliveryOutcome } from './store/contract';

/** See models/caller.ts (required on first call). */
export function createModelCaller(options: ModelCallerOptions): ModelCaller {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./models/caller') as typeof import('./models/caller')).createModelCaller(options);
}
