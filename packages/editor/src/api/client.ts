// Thin typed client for the Storyloom HTTP API (see the README). Every failure becomes an ApiError carrying the
// API's own `error.message`, so the UI can show it as is. A 401 asks the user for an API key once and retries.
// The shapes it reads and sends are the engine's contract (the same types the server's schemas check).
import {
  type CommentStatus,
  type CommentThread,
  EXPORT_EXTENSIONS,
  type AcceptedRun,
  type ApprovalDecision,
  type ApprovalInboxEntry,
  type AvailableModel,
  type ModelSpec,
  type NodeTypeDescription,
  type Pipeline,
  type PipelineVersionInfo,
  type RerunRequest,
  type RunView,
  type RunInputs,
  type StoredPipeline,
  type TextExportFormat,
  type Actor,
  type AuditEntry,
  type ValidationAnswer,
} from '@storyloom/engine';

export type { ApprovalInboxEntry, PipelineVersionInfo, StoredPipeline };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KEY_STORAGE = 'storyloom.apiKey';

export function storedApiKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

type ApiKeyPrompt = (reason: string) => Promise<string | null>;

/**
 * Installed by the UI once mounted: resolves to a key the user typed, or null when they cancel. Calls made
 * before that (the first requests start before React renders) wait for it.
 */
let installPrompt: (prompt: ApiKeyPrompt) => void;
const promptInstalled = new Promise<ApiKeyPrompt>((resolve) => (installPrompt = resolve));
const askForApiKey: ApiKeyPrompt = async (reason) => (await promptInstalled)(reason);
export function setApiKeyPrompt(prompt: ApiKeyPrompt): void {
  installPrompt(prompt);
}

export function authHeaders(): Record<string, string> {
  const key = storedApiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? `${response.status} ${response.statusText || 'request failed'}`,
    error?.details,
  );
}

declare global {
  interface Window {
    /** Requests public/boot.js started before the bundle ran, by path. */
    __storyloomEarly?: Record<string, Promise<Response>>;
  }
}

/** A GET that boot.js already started, handed out once. */
function takeEarlyResponse(path: string, init: RequestInit): Promise<Response> | undefined {
  const early = window.__storyloomEarly;
  if (!early || (init.method && init.method !== 'GET') || !(path in early)) return undefined;
  const response = early[path];
  delete early[path];
  return response;
}

/** fetch with the stored key; on 401 asks for a key and retries once per new key. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  let early = takeEarlyResponse(path, init);
  for (;;) {
    let response: Response;
    try {
      response = await (early ?? fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string>) } }));
      early = undefined;
    } catch (cause) {
      throw new ApiError(0, 'network', `Cannot reach the Storyloom server (${(cause as Error).message})`);
    }
    if (response.status !== 401) return response;
    const failure = await errorFrom(response);
    const key = await askForApiKey(failure.message);
    if (!key) throw failure;
    storeApiKey(key);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await apiFetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A catalogue entry, its schemas read as JSON Schema. */
export interface NodeTypeInfo extends Omit<NodeTypeDescription, 'configSchema' | 'outputSchema'> {
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

export interface PipelineSummary {
  id: string;
  name: string;
  version: number;
  /** False when the latest version is a draft. */
  valid: boolean;
  updatedAt?: string;
}

export type ModelInfo = AvailableModel;

function toSummary(stored: StoredPipeline): PipelineSummary {
  return {
    id: stored.id,
    name: stored.pipeline?.name ?? stored.id,
    version: stored.version,
    valid: stored.valid,
    updatedAt: stored.updatedAt || undefined,
  };
}

/** The file name a download answer names (Content-Disposition), else `fallback`. */
function attachmentName(response: Response, fallback: string): string {
  return /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
}

/** A text download (an export, the review report) with its name and media type. */
async function textAttachment(path: string, fallback: string): Promise<{ content: string; mediaType: string; filename: string }> {
  const response = await apiFetch(path);
  if (!response.ok) throw await errorFrom(response);
  return { content: await response.text(), mediaType: response.headers.get('Content-Type') ?? 'text/plain', filename: attachmentName(response, fallback) };
}

/** The body of `POST /api/runs`: a saved pipeline (by id and version) or one as drawn. */
export type StartRunBody = ({ pipelineId: string; version?: number } | { pipeline: Pipeline }) & { inputs: RunInputs; model?: ModelSpec };

/** `/api/me`: who the editor is signed in as. */
export interface Me {
  actor: Actor;
  permissions: { read: boolean; author: boolean; decide: boolean; administer: boolean };
  mode: 'single-user' | 'shared';
}

export const api = {
  nodeTypes: () => request<NodeTypeInfo[]>('GET', '/api/node-types'),
  models: () => request<ModelInfo[]>('GET', '/api/models'),
  listPipelines: async () => (await request<StoredPipeline[]>('GET', '/api/pipelines')).map(toSummary),
  getPipeline: (id: string, version?: number) =>
    request<StoredPipeline>('GET', `/api/pipelines/${encodeURIComponent(id)}${version ? `/versions/${version}` : ''}`),
  /** `draft`: the server keeps it even if it fails validation (as a version that cannot run). */
  createPipeline: (pipeline: Pipeline, draft = false) => request<StoredPipeline>('POST', `/api/pipelines${draft ? '?draft=true' : ''}`, pipeline),
  savePipeline: (pipeline: Pipeline, baseVersion: number, draft = false) =>
    request<StoredPipeline>('PUT', `/api/pipelines/${encodeURIComponent(pipeline.id)}`, draft ? { baseVersion, pipeline, draft } : { baseVersion, pipeline }),
  deletePipeline: (id: string) => request<void>('DELETE', `/api/pipelines/${encodeURIComponent(id)}`),
  versions: (id: string) => request<PipelineVersionInfo[]>('GET', `/api/pipelines/${encodeURIComponent(id)}/versions`),
  validate: (pipeline: unknown) => request<ValidationAnswer>('POST', '/api/pipelines/validate', pipeline),
  startRun: (body: StartRunBody) => request<AcceptedRun>('POST', '/api/runs', body),
  /** Runs without outputs: statuses, inputs and usage, for lists that poll. */
  listRunSummaries: async (filter: { pipelineId?: string; status?: string } = {}) => {
    const query = new URLSearchParams({ view: 'summary', ...filter });
    return request<RunView[]>('GET', `/api/runs?${query}`);
  },
  approvals: () => request<ApprovalInboxEntry[]>('GET', '/api/approvals'),
  me: () => request<Me>('GET', '/api/me'),
  runAudit: (runId: string) => request<AuditEntry[]>('GET', `/api/runs/${encodeURIComponent(runId)}/audit`),
  pipelineAudit: (id: string) => request<AuditEntry[]>('GET', `/api/pipelines/${encodeURIComponent(id)}/audit`),
  getRun: (id: string) => request<RunView>('GET', `/api/runs/${encodeURIComponent(id)}`),
  decide: (runId: string, nodeId: string, body: ApprovalDecision) =>
    request<RunView>('POST', `/api/runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(nodeId)}`, body),
  cancel: (runId: string) => request<RunView>('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`),
  resume: (runId: string) => request<RunView>('POST', `/api/runs/${encodeURIComponent(runId)}/resume`),
  rerun: (runId: string, body: RerunRequest) =>
    request<{ id: string }>('POST', `/api/runs/${encodeURIComponent(runId)}/rerun`, body),
  exportRun: (runId: string, format: TextExportFormat) =>
    textAttachment(`/api/runs/${encodeURIComponent(runId)}/export?format=${format}`, `${runId}.${EXPORT_EXTENSIONS[format]}`),
  comments: (runId: string, nodeId: string) =>
    request<CommentThread[]>('GET', `/api/runs/${encodeURIComponent(runId)}/comments?nodeId=${encodeURIComponent(nodeId)}`),
  startThread: (runId: string, body: { nodeId: string; body: string; scene?: number; field?: string }) =>
    request<CommentThread>('POST', `/api/runs/${encodeURIComponent(runId)}/comments`, body),
  reply: (runId: string, threadId: string, body: string) =>
    request<CommentThread>('POST', `/api/runs/${encodeURIComponent(runId)}/comments/${encodeURIComponent(threadId)}/replies`, { body }),
  setThreadStatus: (runId: string, threadId: string, status: CommentStatus) =>
    request<CommentThread>('PUT', `/api/runs/${encodeURIComponent(runId)}/comments/${encodeURIComponent(threadId)}/status`, { status }),
  rejectWithComments: (runId: string, nodeId: string) =>
    request<{ run: RunView; threads: CommentThread[] }>('POST', `/api/runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(nodeId)}/reject-with-comments`, {}),
  /** The run's review report (decisions and comment threads, Markdown). */
  reviewReport: (runId: string) => textAttachment(`/api/runs/${encodeURIComponent(runId)}/review-report`, `${runId}-review.md`),
  /** The run's PDF as the server renders it (screenplay layout, or a manuscript for prose). */
  exportPdf: async (runId: string): Promise<{ content: Blob; filename: string }> => {
    const response = await apiFetch(`/api/runs/${encodeURIComponent(runId)}/export?format=pdf`);
    if (!response.ok) throw await errorFrom(response);
    return { content: await response.blob(), filename: attachmentName(response, `${runId}.pdf`) };
  },
};

/** Saves text as a file. */
export function downloadText(filename: string, content: string, mediaType: string): void {
  downloadBlob(filename, new Blob([content], { type: mediaType }));
}

/** Saves a blob as a file through a temporary object URL. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
