// What each role may do, and who may decide a gate: shared by the server (which enforces it), the CLI and the
// editor (which hides what the signed-in person cannot do). Browser-safe.
import type { Actor, UserRole } from './actor';

/** Classes of request: reading anything, changing pipelines and runs, deciding approvals (and commenting on drafts), administering the server (users, webhooks). */
export type Permission = 'read' | 'author' | 'decide' | 'administer';

const GRANTS: Record<UserRole, readonly Permission[]> = {
  owner: ['read', 'author', 'decide', 'administer'],
  editor: ['read', 'author', 'decide'],
  reviewer: ['read', 'decide'],
  viewer: ['read'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** A gate's `approval` when it is an object: who decides it, and whether its authors are kept from approving. */
export interface ApprovalAssignment {
  /** People of this role decide it. */
  role?: UserRole;
  /** These people (by name or id) decide it; with `role` too, either may. */
  users?: string[];
  /** The person who started the run or edited the draft cannot approve, edit or choose it (they may reject). */
  separateReviewer?: boolean;
}

/** The assignment of a node's `approval` setting (none for `true`, `false` or no setting). */
export function assignmentOf(approval: unknown): ApprovalAssignment | undefined {
  return approval !== null && typeof approval === 'object' ? (approval as ApprovalAssignment) : undefined;
}

/** Whether the gate names someone, and `actor` is among them (role or name); an unnamed gate is everyone's. */
export function isAssignedTo(actor: Actor, assignment: ApprovalAssignment | undefined): boolean {
  const named = assignment?.role !== undefined || (assignment?.users?.length ?? 0) > 0;
  if (!named) return true;
  return assignment!.role === actor.role || (assignment!.users ?? []).some((user) => user === actor.name || user === actor.id);
}

/** Who a gate is for, in words ("reviewers", "ana or ben"); undefined for a gate anyone who decides may decide. */
export function assigneesOf(assignment: ApprovalAssignment | undefined): string | undefined {
  const parts: string[] = [];
  if (assignment?.role) parts.push(`${assignment.role}s`);
  parts.push(...(assignment?.users ?? []));
  return parts.length === 0 ? undefined : parts.join(' or ');
}

/**
 * Why `actor` may not make this decision on gate `nodeId`, or undefined when they may. Owners decide any gate
 * (an assignment says whose inbox it is in, not who administers the server); `authors` are the people who
 * started the run or edited this draft, kept from passing it on a gate with `separateReviewer`.
 */
export function decisionRefusal(
  actor: Actor,
  nodeId: string,
  assignment: ApprovalAssignment | undefined,
  authors: readonly Actor[],
  decision: string,
): string | undefined {
  if (!can(actor.role, 'decide')) return `${actor.name} is a ${actor.role}; only owners, editors and reviewers decide approvals`;
  if (actor.role !== 'owner' && !isAssignedTo(actor, assignment)) {
    return `'${nodeId}' is for ${assigneesOf(assignment)} to decide, not ${actor.name} (${actor.role})`;
  }
  if (assignment?.separateReviewer && decision !== 'reject' && authors.some((author) => author.id === actor.id)) {
    return `'${nodeId}' needs a separate reviewer: ${actor.name} started or edited this draft, so someone else must approve it (you may reject it)`;
  }
  return undefined;
}
