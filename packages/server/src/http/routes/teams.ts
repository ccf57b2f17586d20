// Who is asking (`/api/me`), the users of a shared server (owners only) and the audit lists of pipelines and runs.
import { can } from '@storyloom/engine/node';
import { z } from 'zod';
import type { AppContext } from '../context';
import { isSharedServer } from '../auth';
import { HttpError } from '../errors';
import { type AnyRoute, defineRoute } from '../route';
import {
  AuditEntrySchema,
  MeSchema,
  NewUserBodySchema,
  PipelineIdParamsSchema,
  RunIdParamsSchema,
  UserNameParamsSchema,
  UserSchema,
  UserWithTokenSchema,
} from '../schemas';

const users = { tag: 'users', auth: 'bearer', access: 'administer' } as const;
const auditList = { description: 'Who did what, oldest first', schema: z.array(AuditEntrySchema) };

export function teamRoutes({ storyloom, options }: AppContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/me',
      operationId: 'getMe',
      summary: 'Who the caller is and what their role lets them do',
      tag: 'users',
      auth: 'bearer',
      responses: { 200: { description: 'The caller', schema: MeSchema } },
      handler: async ({ actor }) => {
        const shared = await isSharedServer(options.apiKeys, storyloom);
        const permissions = {
          read: can(actor.role, 'read'),
          author: can(actor.role, 'author'),
          decide: can(actor.role, 'decide'),
          administer: can(actor.role, 'administer'),
        };
        return { status: 200, body: { actor, permissions, mode: shared ? 'shared' : 'single-user' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users',
      operationId: 'listUsers',
      summary: 'Every user, revoked ones too (owners only)',
      ...users,
      responses: { 200: { description: 'Users, oldest first', schema: z.array(UserSchema) } },
      handler: async () => ({ status: 200, body: await storyloom.listUsers() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/users',
      operationId: 'addUser',
      summary: 'Add a user with a role; the answer holds their API token, shown this once (owners only)',
      ...users,
      body: NewUserBodySchema,
      responses: { 201: { description: 'The user and their token', schema: UserWithTokenSchema } },
      errors: [{ status: 409, description: 'An active user has this name' }],
      handler: async ({ body }) => ({ status: 201, body: await storyloom.addUser(body.name, body.role) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:name/tokens',
      operationId: 'issueUserToken',
      summary: 'Another API token for a user, shown this once (owners only)',
      ...users,
      params: UserNameParamsSchema,
      responses: { 201: { description: 'The new token', schema: z.object({ token: z.string() }) } },
      handler: async ({ params }) => ({ status: 201, body: { token: await storyloom.issueToken(params.name) } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/users/:name',
      operationId: 'revokeUser',
      summary: 'Revoke a user: their tokens stop working; what they did stays in the audit list (owners only)',
      ...users,
      params: UserNameParamsSchema,
      responses: { 200: { description: 'The revoked user', schema: UserSchema } },
      handler: async ({ params }) => ({ status: 200, body: await storyloom.revokeUser(params.name) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:id/audit',
      operationId: 'listPipelineAudit',
      summary: 'Who saved, ran, decided, reran, cancelled or resumed what, for a pipeline and its runs',
      tag: 'pipelines',
      auth: 'bearer',
      params: PipelineIdParamsSchema,
      responses: { 200: auditList },
      handler: async ({ params }) => {
        const entries = await storyloom.audit({ pipelineId: params.id });
        if (entries.length === 0 && !(await storyloom.pipelines.get(params.id))) throw new HttpError(404, 'not_found', `no pipeline '${params.id}'`);
        return { status: 200, body: entries };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/:id/audit',
      operationId: 'listRunAudit',
      summary: 'Who started, decided, cancelled or resumed what in one run',
      tag: 'runs',
      auth: 'bearer',
      params: RunIdParamsSchema,
      responses: { 200: auditList },
      handler: async ({ params }) => {
        if (!(await storyloom.getRun(params.id))) throw new HttpError(404, 'not_found', `no run '${params.id}'`);
        return { status: 200, body: await storyloom.audit({ runId: params.id }) };
      },
    }),
  ];
}
