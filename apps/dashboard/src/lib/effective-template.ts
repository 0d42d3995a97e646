/**
 * A stack's effective runner template: its module's `executionTemplate` with the stack's on top, the
 * way the operator merges them (apps/operator/src/reconcile/template-merge.ts: `env` and
 * `imagePullSecrets` by name, `nodeSelector`, `podLabels` and `podAnnotations` by key, anything else
 * whole), each setting marked with where it comes from. Pure.
 */
export type TemplateFrom = 'module' | 'stack' | 'overridden';

export interface TemplateRow {
  /** `image`, `env.API_TOKEN`, `nodeSelector.zone`, ... */
  setting: string;
  /** For `env.*` rows the env entry itself (shown masked when secret-looking). */
  value: unknown;
  from: TemplateFrom;
}

type Template = Record<string, unknown>;
const BY_NAME = new Set(['env', 'imagePullSecrets']);
const BY_KEY = new Set(['nodeSelector', 'podLabels', 'podAnnotations']);

function entries(key: string, v: unknown): [string, unknown][] {
  if (BY_NAME.has(key) && Array.isArray(v))
    return (v as { name?: unknown }[]).filter((e) => typeof e?.name === 'string').map((e) => [`${key}.${e.name as string}`, e]);
  if (BY_KEY.has(key) && v && typeof v === 'object')
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => [`${key}.${k}`, x]);
  return [[key, v]];
}

function flat(t: Template | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(t ?? {})) if (v !== undefined) for (const [s, x] of entries(key, v)) out.set(s, x);
  return out;
}

/** The merged settings in the module's order, then the stack's own additions. */
export function effectiveTemplate(module: object | undefined, stack: object | undefined): TemplateRow[] {
  const m = flat(module as Template | undefined);
  const s = flat(stack as Template | undefined);
  const rows: TemplateRow[] = [];
  for (const [setting, value] of m)
    rows.push(s.has(setting) ? { setting, value: s.get(setting), from: 'overridden' } : { setting, value, from: 'module' });
  for (const [setting, value] of s) if (!m.has(setting)) rows.push({ setting, value, from: 'stack' });
  return rows;
}
