// Who the editor is signed in as (`/api/me`) and what their role lets them do: the editor hides or disables
// what the server would refuse, and says why. The server decides; this only keeps people from dead ends.
import { assignmentOf, decisionRefusal, type Actor, type Permission } from '@storyloom/engine';
import { api, type Me } from '../api/client';
import { editorStore, type EditorState } from './state';

export async function loadMe(): Promise<void> {
  const me = await api.me().catch(() => null);
  editorStore.setState({ me });
}

/** Whether the signed-in person may do this; true until `/api/me` has answered (the server still checks). */
export function mayDo(state: Pick<EditorState, 'me'>, permission: Permission): boolean {
  const me = state.me;
  if (!me) return true;
  return permission === 'administer' ? me.permissions.administer : me.permissions[permission];
}

/** Why this person may not decide gate `nodeId` of the watched run (its approval setting in the open pipeline), or undefined. */
export function decisionBlock(state: Pick<EditorState, 'me' | 'nodes' | 'run'>, nodeId: string, decision: string): string | undefined {
  const me = state.me;
  if (!me) return undefined;
  const approval = state.nodes.find((node) => node.id === nodeId)?.data.approval;
  const authors: Actor[] = state.run?.view?.startedBy ? [state.run.view.startedBy] : [];
  return decisionRefusal(me.actor, nodeId, assignmentOf(approval), authors, decision);
}

/** A refusal in the words of the person reading it. */
export function roleNote(state: Pick<EditorState, 'me'>, permission: Permission): string | undefined {
  if (mayDo(state, permission)) return undefined;
  const role = state.me!.actor.role;
  return permission === 'author' ? `Your role (${role}) cannot change pipelines or runs` : `Your role (${role}) cannot decide approvals`;
}
