import type { Status } from './types.js';

/** One field-level cause of a rejected request, as the API server reports it. */
export interface FieldCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** A non-2xx answer of the API server, with its Status body. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly causes: FieldCause[];
  readonly status: Status | undefined;

  constructor(method: string, path: string, code: number, status: Status | undefined, options?: ErrorOptions) {
    super(`${method} ${path}: ${code} ${status?.reason ?? ''} ${status?.message ?? ''}`.trim(), options);
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = status?.reason ?? '';
    this.status = status;
    this.causes = status?.details?.causes ?? [];
  }
}

/** True for a 404 from the API server. */
export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.code === 404;
/** True for a 409 AlreadyExists (create of a name that exists). */
export const isAlreadyExists = (e: unknown): boolean => e instanceof KubeApiError && e.code === 409 && e.reason === 'AlreadyExists';
/** True for a 409 Conflict (stale resourceVersion). */
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.code === 409 && e.reason !== 'AlreadyExists';
/** True for a 410 Gone (resourceVersion too old for a watch or list). */
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.code === 410;
