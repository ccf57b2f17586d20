// The audit list: each thing a person did to a pipeline or a run, as the API and the editor show it.
// Browser-safe.
import type { Actor } from './actor';

/** What the audit list records: each thing a person did to a pipeline or a run. */
export const AUDIT_ACTIONS = [
  'pipeline.created',
  'pipeline.saved',
  'pipeline.deleted',
  'run.started',
  'run.rerun',
  'run.cancelled',
  'run.resumed',
  'approval.decided',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface NewAuditEntry {
  action: AuditAction;
  actor: Actor;
  pipelineId?: string;
  runId?: string;
  nodeId?: string;
  /** What was done, e.g. `{ version }` of a save or `{ decision, feedback }` of a decision. */
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends NewAuditEntry {
  /** Grows with every entry of the database: the order things were done in. */
  seq: number;
  at: string;
  detail: Record<string, unknown>;
}
