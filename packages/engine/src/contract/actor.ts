// Who did something: the person (or owner key) behind a save, a run, a decision, an edit, a rerun or a cancel.
// Browser-safe: the server records it, the CLI and the editor show it.

/** The roles a user may hold, from most to least powerful. */
export const USER_ROLES = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface Actor {
  id: string;
  name: string;
  role: 'owner' | 'editor' | 'reviewer' | 'viewer';
}

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}
