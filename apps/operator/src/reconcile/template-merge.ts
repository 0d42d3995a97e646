import type { EnvVar, ExecutionTemplate } from '@tofu-operator/api-types';
import { withSafeJobTtl } from '../execution/job-ttl.js';

/**
 * Merges a stack's execution template over its module's, field by field:
 * - scalars and whole objects (image, resources, affinity, tolerations, ...) from the stack win
 *   when set;
 * - env is merged by variable name, and nodeSelector, podLabels and podAnnotations by key, with the
 *   stack's entries winning;
 * - imagePullSecrets are merged by name;
 * - ttlSecondsAfterFinished below the schema's minimum (stored before it) is raised to it.
 */
export function mergeTemplates(base: ExecutionTemplate | undefined, override: ExecutionTemplate | undefined): ExecutionTemplate {
  const out: ExecutionTemplate = { ...(base ?? {}) };
  const o = override ?? {};
  for (const [key, value] of Object.entries(o) as [keyof ExecutionTemplate, unknown][]) {
    if (value === undefined) continue;
    switch (key) {
      case 'env':
        out.env = mergeByKey(base?.env, o.env, (e: EnvVar) => e.name);
        break;
      case 'imagePullSecrets':
        out.imagePullSecrets = mergeByKey(base?.imagePullSecrets, o.imagePullSecrets, (s) => s.name);
        break;
      case 'nodeSelector':
      case 'podLabels':
      case 'podAnnotations':
        out[key] = { ...(base?.[key] ?? {}), ...(o[key] ?? {}) };
        break;
      default:
        (out as Record<string, unknown>)[key] = value;
    }
  }
  return withSafeJobTtl(out);
}

function mergeByKey<T>(base: T[] | undefined, over: T[] | undefined, key: (t: T) => string): T[] {
  const map = new Map<string, T>();
  for (const item of base ?? []) map.set(key(item), item);
  for (const item of over ?? []) map.set(key(item), item);
  return [...map.values()];
}

/**
 * Whether a run's plans are applied without approval: the stack's spec.autoApply when set, else its
 * module's, else false (the same precedence as the template: the stack wins over its module).
 */
export function effectiveAutoApply(module: { spec: { autoApply?: boolean } }, stack?: { spec: { autoApply?: boolean } }): boolean {
  return stack?.spec.autoApply ?? module.spec.autoApply ?? false;
}
