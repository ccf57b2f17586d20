// Webhooks: register a receiver for approval requests and finished runs, list and delete them, and read each
// hook's delivery log. Managing hooks is the owner's (an API key on a server without accounts).
import { z } from 'zod';
import type { AppContext } from '../context';
import {
  CreatedWebhookSchema,
  CreateWebhookBodySchema,
  DeliveriesQuerySchema,
  WebhookDeliverySchema,
  WebhookIdParamsSchema,
  WebhookSchema,
} from '../collab-schemas';
import { type AnyRoute, defineRoute } from '../route';
import { webhookHosts } from '../../webhook-sender';

const TAG = 'webhooks';
const owner = { tag: TAG, auth: 'bearer', access: 'administer' } as const;

export function webhookRoutes({ storyloom, options }: AppContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/webhooks',
      operationId: 'createWebhook',
      summary: 'Register a receiver for approval.requested, run.completed and run.failed (signed with HMAC-SHA256)',
      ...owner,
      body: CreateWebhookBodySchema,
      responses: { 201: { description: 'The hook, with its secret (shown only now)', schema: CreatedWebhookSchema } },
      handler: async (context) => {
        const { webhook, secret } = await storyloom.webhooks.create({ ...context.body, createdBy: context.actor }, await webhookHosts(options, storyloom));
        context.res.setHeader('Location', `/api/webhooks/${encodeURIComponent(webhook.id)}`);
        return { status: 201, body: { ...webhook, secret } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks',
      operationId: 'listWebhooks',
      summary: 'Every registered webhook (without secrets)',
      ...owner,
      responses: { 200: { description: 'Webhooks, oldest first', schema: z.array(WebhookSchema) } },
      handler: async () => ({ status: 200, body: await storyloom.webhooks.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks/:id',
      operationId: 'getWebhook',
      summary: 'One webhook (without its secret)',
      ...owner,
      params: WebhookIdParamsSchema,
      responses: { 200: { description: 'The webhook', schema: WebhookSchema } },
      handler: async ({ params }) => ({ status: 200, body: await storyloom.webhooks.get(params.id) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/webhooks/:id',
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook and its delivery log (pending deliveries are not sent)',
      ...owner,
      params: WebhookIdParamsSchema,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params }) => {
        await storyloom.webhooks.delete(params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: "A webhook's deliveries, newest first, each with the log of its tries",
      ...owner,
      params: WebhookIdParamsSchema,
      query: DeliveriesQuerySchema,
      responses: { 200: { description: 'Deliveries', schema: z.array(WebhookDeliverySchema) } },
      handler: async ({ params, query }) => ({ status: 200, body: await storyloom.webhooks.deliveries(params.id, query.limit) }),
    }),
  ];
}
