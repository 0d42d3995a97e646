import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { KubeApiError, type Logger } from '@tofu-operator/reconcile-runtime';
import type { ErrorBody, FieldError } from '@tofu-operator/api-contracts';
import { LOGGER } from '../kube/tokens.js';

export type { ErrorBody, FieldError };

/** An error answer of the API, with its HTTP status and Kubernetes-style reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** For 409 on plan: the run in progress. */
  running: ErrorBody['running'];

  /** For 429 and 503: the Retry-After header, in seconds. */
  retryAfterSeconds: number | undefined;
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'NotFound', message);

/** Reason phrases of error bodies (the Kubernetes Status reasons where one fits), for the API and the runner API. */
export const ReasonFor: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  423: 'Locked',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** Statuses of the API server that mean something to our caller and pass through. */
const PASS_THROUGH = new Set([400, 404, 409, 422]);

/** Maps any thrown value to the error shape of the API. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      reason: err.reason,
      message: err.message,
      ...(err.fields?.length ? { fields: err.fields } : {}),
      ...(err.running ? { running: err.running } : {}),
    };
  }
  if (err instanceof KubeApiError) {
    if (!PASS_THROUGH.has(err.code)) {
      // 401/403 from the API server mean the operator's own credentials or RBAC are wrong, not the caller's.
      return { status: 500, reason: 'InternalError', message: `the Kubernetes API server answered ${err.code} ${err.reason}`.trim() };
    }
    const fields = err.causes.filter((c) => c.field).map((c) => ({ path: c.field ?? '', message: c.message ?? c.reason ?? '' }));
    return {
      status: err.code,
      reason: err.reason || (ReasonFor[err.code] ?? 'Unknown'),
      message: err.status?.message ?? err.message,
      ...(fields.length ? { fields } : {}),
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    let message = err.message;
    if (typeof res === 'object' && res !== null && 'message' in res) {
      const m = res.message;
      message = Array.isArray(m) ? m.map(String).join('; ') : String(m);
    }
    return { status, reason: ReasonFor[status] ?? (status >= 500 ? 'InternalError' : 'BadRequest'), message };
  }
  return { status: 500, reason: 'InternalError', message: 'internal error' };
}

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  headersSent?: boolean;
}

/** Writes every error as an ErrorBody; unexpected errors are logged (never the request's credentials). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(err);
    // A refusal to retry later (overload) is expected under a flood: logging each would add to it.
    const overload = err instanceof ApiError && err.retryAfterSeconds !== undefined;
    if (body.status >= 500 && !overload) this.log.error({ err }, 'API request failed');
    const res = host.switchToHttp().getResponse<HttpResponse>();
    if (res.headersSent) return;
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (err instanceof ApiError && err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(body.status).json(body);
  }
}
