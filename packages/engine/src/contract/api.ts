// Answers of the HTTP API that are not runs or pipelines themselves: the approvals inbox, the model list, a
// run just accepted, a validation result. The server answers these and the editor reads them.
import type { ValidationProblem } from '../errors';
import type { ModelProvider } from '../pipeline/schema';
import type { Actor } from './actor';
import type { PendingApproval, RunStatus } from './run-view';

/** A pending approval as the inbox across runs lists it. */
export interface ApprovalInboxEntry extends PendingApproval {
  runId: string;
  pipelineId: string;
  requestedAt: string;
  startedBy?: Actor;
  /** Who the gate is for, in words ("reviewers", "ana or ben"); absent when anyone who decides may. */
  assignedTo?: string;
  /** Asked with an actor: whether the gate is theirs (assigned to them, or to no one in particular). */
  mine?: boolean;
}

/** A model provider as `GET /api/models` shows it. */
export interface AvailableModel {
  provider: ModelProvider;
  /** Configured by the environment (offline: always). Not a network check: nothing is contacted until a run uses it. */
  available: boolean;
  /** Model names known without asking the server: the default one, when this provider is the default. */
  models?: string[];
  /** True for the provider runs use when neither run, node nor pipeline names a model (STORYLOOM_MODEL, else offline). */
  default: boolean;
  /** On the default provider: the default model as a shorthand spec, e.g. "openai:gpt-4o-mini" or "offline". */
  defaultModel?: string;
  note: string;
}

/** A run just started (202): it runs in the background. */
export interface AcceptedRun {
  id: string;
  status: RunStatus;
}

export interface ValidationAnswer {
  valid: boolean;
  errors: ValidationProblem[];
}
