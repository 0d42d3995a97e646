import { MIN_TTL_SECONDS_AFTER_FINISHED, type ExecutionTemplate } from '@tofu-operator/api-types';

/**
 * The template with ttlSecondsAfterFinished raised to MIN_TTL_SECONDS_AFTER_FINISHED when lower.
 * The CRD schema refuses lower values, but objects stored before that rule may hold them: a Job
 * deleted before the operator read its result made a succeeded run look Failed (JobDeleted), and a
 * copy of such a template into a new execution or into status would now be refused by the API server.
 */
export function withSafeJobTtl<T extends ExecutionTemplate | undefined>(template: T): T {
  const ttl = template?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl >= MIN_TTL_SECONDS_AFTER_FINISHED) return template;
  return { ...template, ttlSecondsAfterFinished: MIN_TTL_SECONDS_AFTER_FINISHED };
}
