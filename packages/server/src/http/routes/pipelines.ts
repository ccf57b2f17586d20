// Pipeline routes: validate a document, list, create, read, save a new version (`baseVersion` must be the latest, so
// one save cannot silently overwrite another), delete, the version history with who saved each, and what a pipeline's
// runs spent per day. A pipeline must be valid to be saved unless it is kept as a draft; creating, saving a new
// version and deleting are recorded in the audit list.
import { type Actor, requireValidPipeline, validatePipeline } from '@storyloom/engine/node';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpError } from '../errors';
import { type AnyRoute, defineRoute } from '../route';
import {
  CreatePipelineQuerySchema,
  PipelineDocumentSchema,
  PipelineIdParamsSchema,
  PipelineCostQuerySchema,
  PipelineCostSchema,
  PipelineVersionInfoSchema,
  PipelineVersionParamsSchema,
  SavePipelineBodySchema,
  StoredPipelineSchema,
  ValidationResultSchema,
} from '../schemas';

const TAG = 'pipelines';
const stored = (description: string) => ({ description, schema: StoredPipelineSchema });

export function pipelineRoutes({ storyloom }: AppContext): AnyRoute[] {
  const { pipelines } = storyloom;
  const requirePipeline = async (id: string, version?: number) => {
    const found = await pipelines.get(id, version);
    if (found) return found;
    if (version !== undefined && (await pipelines.get(id))) throw new HttpError(404, 'not_found', `pipeline '${id}' has no version ${version}`);
    throw new HttpError(404, 'not_found', `no pipeline '${id}'`);
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/pipelines/validate',
      operationId: 'validatePipeline',
      summary: 'Check a pipeline document; every problem at once (200 even when invalid)',
      tag: TAG,
      auth: 'bearer',
      access: 'read', // changes nothing: anyone who may read may check a document
      body: PipelineDocumentSchema,
      responses: { 200: { description: 'Validation result', schema: ValidationResultSchema } },
      handler: ({ body }) => {
        const { valid, errors } = validatePipeline(body);
        return { status: 200, body: { valid, errors } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines',
      operationId: 'listPipelines',
      summary: 'Saved pipelines, each at its latest version (a draft too, with `valid: false`)',
      tag: TAG,
      auth: 'bearer',
      responses: { 200: { description: 'Pipelines', schema: z.array(StoredPipelineSchema) } },
      handler: async () => ({ status: 200, body: await pipelines.list() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/pipelines',
      operationId: 'createPipeline',
      summary: 'Save a new pipeline (version 1); it must be valid unless `?draft=true`',
      tag: TAG,
      auth: 'bearer',
      query: CreatePipelineQuerySchema,
      body: PipelineDocumentSchema,
      responses: { 201: stored('Created') },
      errors: [{ status: 409, description: 'A pipeline with this id exists (save a new version with PUT)' }],
      handler: async ({ query, body, res, actor }) => {
        const draft = query.draft === 'true';
        // A draft is checked by the store (the draft minimum); anything else must pass validation.
        const created = await pipelines.create(draft ? body : requireValidPipeline(body), { draft });
        await storyloom.recordAudit({ action: 'pipeline.created', actor, pipelineId: created.id, detail: { version: created.version, valid: created.valid } });
        res.setHeader('Location', `/api/pipelines/${encodeURIComponent(created.id)}`);
        return { status: 201, body: created };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:id',
      operationId: 'getPipeline',
      summary: 'The latest version of a pipeline',
      tag: TAG,
      auth: 'bearer',
      params: PipelineIdParamsSchema,
      responses: { 200: stored('The pipeline') },
      handler: async ({ params }) => ({ status: 200, body: await requirePipeline(params.id) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/pipelines/:id',
      operationId: 'savePipeline',
      summary: 'Save a new version; `baseVersion` must be the latest version; `draft: true` keeps an invalid one as a draft',
      tag: TAG,
      auth: 'bearer',
      params: PipelineIdParamsSchema,
      body: SavePipelineBodySchema,
      responses: { 200: stored('The new version') },
      errors: [{ status: 409, description: '`baseVersion` is stale: someone saved a newer version' }],
      handler: async ({ params, body, actor }) => {
        const draft = body.draft === true;
        const document = draft ? body.pipeline : requireValidPipeline(body.pipeline);
        const documentId = (document as { id?: unknown } | null)?.id;
        // A draft without a usable id is the store's to report (draft minimum); a different id is a mismatch.
        if (typeof documentId === 'string' && documentId !== params.id) {
          throw new HttpError(400, 'invalid_request', `the document's id '${documentId}' differs from the URL's '${params.id}'`, [
            { path: '/pipeline/id', code: 'id_mismatch', message: `expected '${params.id}'` },
          ]);
        }
        await requirePipeline(params.id);
        const saved = await pipelines.save(params.id, document, body.baseVersion, { draft });
        if (saved.version !== body.baseVersion) {
          await storyloom.recordAudit({ action: 'pipeline.saved', actor, pipelineId: saved.id, detail: { version: saved.version, valid: saved.valid } });
        }
        return { status: 200, body: saved };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/pipelines/:id',
      operationId: 'deletePipeline',
      summary: 'Delete a pipeline and its versions (runs keep their own copy)',
      tag: TAG,
      auth: 'bearer',
      params: PipelineIdParamsSchema,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, actor }) => {
        if (!(await pipelines.delete(params.id))) throw new HttpError(404, 'not_found', `no pipeline '${params.id}'`);
        await storyloom.recordAudit({ action: 'pipeline.deleted', actor, pipelineId: params.id });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:id/versions',
      operationId: 'listPipelineVersions',
      summary: 'Version history, oldest first',
      tag: TAG,
      auth: 'bearer',
      params: PipelineIdParamsSchema,
      responses: { 200: { description: 'Versions', schema: z.array(PipelineVersionInfoSchema) } },
      handler: async ({ params }) => {
        await requirePipeline(params.id);
        // Who saved each version comes from the audit list (a pipeline created again after a delete goes on numbering).
        const savedBy = new Map<number, Actor>();
        for (const entry of await storyloom.audit({ pipelineId: params.id })) {
          if ((entry.action === 'pipeline.created' || entry.action === 'pipeline.saved') && typeof entry.detail.version === 'number') {
            savedBy.set(entry.detail.version, entry.actor);
          }
        }
        const versions = await pipelines.versions(params.id);
        return { status: 200, body: versions.map((info) => (savedBy.has(info.version) ? { ...info, savedBy: savedBy.get(info.version) } : info)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:id/cost',
      operationId: 'getPipelineCost',
      summary: "What the pipeline's runs spent per day (tokens and estimated USD), over the last `days` days",
      tag: TAG,
      auth: 'bearer',
      params: PipelineIdParamsSchema,
      query: PipelineCostQuerySchema,
      responses: { 200: { description: 'Spending per day and in all', schema: PipelineCostSchema } },
      // Runs keep their pipeline's id after it is deleted, so their spending is still reported.
      handler: async ({ params, query }) => ({ status: 200, body: await storyloom.pipelineCost(params.id, query.days) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipelines/:id/versions/:version',
      operationId: 'getPipelineVersion',
      summary: 'One version of a pipeline',
      tag: TAG,
      auth: 'bearer',
      params: PipelineVersionParamsSchema,
      responses: { 200: stored('That version') },
      handler: async ({ params }) => ({ status: 200, body: await requirePipeline(params.id, params.version) }),
    }),
  ];
}
