// `storyloom users add|list|revoke`: the people who may use a shared server, straight in its database.
import { USER_ROLES, type UserRole } from '@storyloom/engine';
import { DB_FLAG } from '../context';
import { EXIT, invalid } from '../errors';
import { table } from '../format';
import { boolFlag, positional, stringFlag, type Command } from './command';

const ACTIONS = ['add', 'list', 'revoke'] as const;

export const usersCommand: Command = {
  spec: {
    name: 'users',
    summary: 'Add, list or revoke the users of a shared server (each with a role and API tokens).',
    positionals: [
      { name: 'action', description: 'add, list or revoke', required: true },
      { name: 'name', description: 'the user (add, revoke)' },
    ],
    flags: [
      { name: 'role', kind: 'string', valueName: 'role', description: `add: ${USER_ROLES.join(', ')}` },
      { name: 'json', kind: 'boolean', description: 'print JSON on stdout' },
      DB_FLAG,
    ],
    notes: [
      'add prints the new API token once on stdout (only its SHA-256 is stored): send it as "Authorization: Bearer <token>".',
      'Roles: owner (everything, users too), editor (pipelines and runs), reviewer (decides approvals), viewer (reads).',
      'With any user added, the server asks every request for a token; STORYLOOM_API_KEYS stay owner keys.',
    ],
  },
  async run(ctx, args) {
    const action = positional(args, 'action');
    if (!(ACTIONS as readonly string[]).includes(action)) throw invalid(`unknown action '${action}': use add, list or revoke`);
    const name = args.positionals.name;
    const json = boolFlag(args, 'json');
    if (action === 'list') {
      const users = await (await ctx.storyloom()).listUsers();
      if (json) ctx.out(JSON.stringify(users, null, 2));
      else if (users.length === 0) ctx.out('No users: the server is in single-user mode (open on this machine).');
      else ctx.out(table([['NAME', 'ROLE', 'ADDED', 'REVOKED'], ...users.map((user) => [user.name, user.role, user.createdAt, user.revokedAt ?? ''])]));
      return EXIT.completed;
    }
    if (!name) throw invalid(`users ${action} needs a user name`);
    if (action === 'revoke') {
      const revoked = await (await ctx.storyloom()).revokeUser(name);
      if (json) ctx.out(JSON.stringify(revoked, null, 2));
      ctx.err(`Revoked ${revoked.name} (${revoked.role}): their tokens no longer work.`);
      return EXIT.completed;
    }
    const role = stringFlag(args, 'role');
    if (role === undefined) throw invalid(`users add needs --role: one of ${USER_ROLES.join(', ')}`);
    if (!(USER_ROLES as readonly string[]).includes(role)) throw invalid(`unknown role '${role}': use one of ${USER_ROLES.join(', ')}`);
    const { user, token } = await (await ctx.storyloom()).addUser(name, role as UserRole);
    ctx.out(json ? JSON.stringify({ user, token }, null, 2) : token);
    ctx.err(`Added ${user.name} (${user.role}). Their API token is above: it is shown only this once.`);
    return EXIT.completed;
  },
};
