// How every failure becomes a JSON answer, `{ error: { code, message, details? } }`: engine errors, body-parser and
// Express errors, zod failures and an unreachable database (503 with Retry-After) each get their own status, so a
// client's mistake is never a 500. Only unexpected failures are logged, with secrets in the URL masked.
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { isDatabaseUnreachable, type StoryloomErrorCode, type ValidationProblem } from '@storyloom/engine/node';
import { redactSecrets } from './redact';

/** An error the HTTP layer answers with as `{ error: { code, message, details? } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra answer headers, e.g. `Retry-After` on 429/503. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** How long a client is told to wait when the database is out of reach (a restart takes a few seconds). */
const DATABASE_RETRY_AFTER_S = '5';

/** Engine error codes → HTTP status. Every user mistake maps below 500. */
const STATUS_BY_ENGINE_CODE: Record<StoryloomErrorCode, number> = {
  invalid_pipeline: 400,
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  lease_held: 409,
  model_error: 502,
  cancelled: 409,
};

/**
 * Duck-typed rather than `instanceof` so an engine error still maps correctly if the engine is loaded
 * twice (e.g. jest module registries), which would otherwise turn a user mistake into a 500.
 */
function engineErrorOf(error: unknown): { code: StoryloomErrorCode; message: string; details?: unknown } | undefined {
  if (!(error instanceof Error) || error.name !== 'StoryloomError') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !(code in STATUS_BY_ENGINE_CODE)) return undefined;
  return { code: code as StoryloomErrorCode, message: error.message, details: (error as { details?: unknown }).details };
}

/** body-parser raises errors with a `type`; these are the client's fault. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: (error: Error) => string }> = {
  'entity.parse.failed': { status: 400, code: 'bad_json', message: parseFailureMessage },
  'entity.too.large': { status: 413, code: 'body_too_large', message: () => 'request body is larger than the limit' },
  'entity.verify.failed': { status: 400, code: 'bad_request', message: (e) => e.message },
  'request.aborted': { status: 400, code: 'request_aborted', message: () => 'request aborted by the client' },
  'request.size.invalid': { status: 400, code: 'bad_request', message: () => 'request size did not match Content-Length' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: (e) => e.message },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: (e) => e.message },
  'parameters.too.many': { status: 413, code: 'too_many_parameters', message: (e) => e.message },
};

/**
 * The JSON parser only takes objects and arrays: `null`, `3` or `"x"` are valid JSON but not a request body,
 * and saying "not valid JSON" about them would mislead.
 */
function parseFailureMessage(error: Error): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const value: unknown = JSON.parse(body);
      return `request body must be a JSON object, not ${value === null ? 'null' : typeof value}`;
    } catch {
      // really not JSON: fall through
    }
  }
  return `request body is not valid JSON: ${error.message}`;
}

/** A zod issue path → JSON pointer, so schema problems look like pipeline validation problems. */
export function pointerOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part) => '/' + String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function problemsOfZodError(error: z.ZodError, prefix = ''): ValidationProblem[] {
  return error.issues.map((issue) => ({ path: prefix + pointerOf(issue.path), code: issue.code, message: issue.message }));
}

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const engineError = engineErrorOf(error);
  if (engineError) {
    return new HttpError(STATUS_BY_ENGINE_CODE[engineError.code], engineError.code, engineError.message, engineError.details);
  }
  const bodyParserType = (error as { type?: unknown } | null)?.type;
  if (typeof bodyParserType === 'string' && BODY_PARSER_ERRORS[bodyParserType]) {
    const known = BODY_PARSER_ERRORS[bodyParserType];
    return new HttpError(known.status, known.code, known.message(error as Error));
  }
  if (error instanceof z.ZodError) {
    return new HttpError(400, 'invalid_request', 'request does not match its schema', problemsOfZodError(error));
  }
  // The stores already retried through the outage window: the database is down (or a write was cut off), not
  // broken, and the request may well succeed later. The cause (a host and port) stays in the server's log.
  if (isDatabaseUnreachable(error)) {
    const message = (error as { outcomeUnknown?: unknown }).outcomeUnknown
      ? 'the database connection was lost while the change was being written: it may or may not have been applied; look before retrying'
      : 'the database is unreachable (restarting or down); retry shortly';
    return new HttpError(503, 'database_unreachable', message, undefined, { 'Retry-After': DATABASE_RETRY_AFTER_S });
  }
  return clientErrorOf(error) ?? new HttpError(500, 'internal_error', 'internal server error');
}

/**
 * Errors that Express and its libraries (router, body-parser, raw-body, http-errors) raise for a bad request
 * carry a 4xx `status`/`statusCode`: a malformed percent-escape in the path (URIError), a body that fails to
 * decompress, an unsupported Content-Encoding. Those are the client's mistake, answered with their status;
 * their message is shown only when the library marks it safe (`expose`). Everything else stays a 500.
 */
function clientErrorOf(error: unknown): HttpError | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { status, statusCode, expose } = error as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 499) return undefined;
  if (error instanceof URIError) {
    return new HttpError(400, 'bad_path', 'the request path has a malformed percent-escape (e.g. %ff): encode it with encodeURIComponent');
  }
  if (typeof (error as { errno?: unknown }).errno === 'number' && /^(Z_|ERR_)/.test(String((error as { code?: unknown }).code))) {
    // zlib's own words ("incorrect header check") do not say what was wrong with the request.
    return new HttpError(code, 'bad_request', `request body could not be decompressed (Content-Encoding): ${(error as Error).message}`);
  }
  const message = expose !== false && error instanceof Error && error.message ? error.message : 'bad request';
  return new HttpError(code, code === 415 ? 'unsupported_media_type' : 'bad_request', message);
}

export function sendError(res: Response, error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  if (error.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="storyloom"');
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res.status(error.status).json(body);
}

/** The last middleware: every failure leaves as a JSON error; only our own bugs are 500s (and get logged). */
export function errorHandler(log: (message: string, error: unknown) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const httpError = toHttpError(error);
    // Deliberate answers (HttpError: shutting down, too many streams) are not failures worth a log line; an
    // unreachable database is (its cause is logged only here).
    if (httpError.status >= 500 && !(error instanceof HttpError)) log(`${req.method} ${redactSecrets(req.originalUrl)} failed`, error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, httpError);
  };
}
