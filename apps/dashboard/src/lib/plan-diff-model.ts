/**
 * The display model of a plan's masked per-resource diff (PlanDiff, as the runner stored it): one
 * action per resource for its badge, and each attribute's change as text, before → after. Values stay
 * exactly as stored: a masked value is shown as the mask, never guessed at. Pure, for the plan page.
 */
import type { AttributeDiff, PlanDiff, ResourceDiff } from '@tofu-operator/api-types';

/** What stands for a sensitive value, as the runner stores it (api-types' SENSITIVE_MASK; a test keeps them equal). */
export const SENSITIVE_MASK = '(sensitive value)';
/** What stands for a value known only after apply (api-types' UNKNOWN_VALUE). */
export const UNKNOWN_VALUE = '(known after apply)';

/** The one action a resource's badge shows. */
export type DiffAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'forget' | 'no-op';

/** The badge action of tofu's action list: a delete plus a create (either order) is a replacement. */
export function diffAction(actions: readonly string[]): DiffAction {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  const a = actions[0];
  if (actions.length === 1 && (a === 'create' || a === 'update' || a === 'delete' || a === 'read' || a === 'forget')) return a;
  return 'no-op';
}

/** The sign tofu prints before each action (not told by colour alone). */
export const ACTION_SIGN: Record<DiffAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  forget: '.',
  'no-op': ' ',
};

/** One attribute's change, ready to show. */
export interface AttributeRow {
  name: string;
  /** Absent for a create (nothing before). */
  before?: string;
  /** Absent for a delete (nothing after). */
  after?: string;
  sensitive: boolean;
  unknown: boolean;
  forcesReplacement: boolean;
}

/** One resource, ready to show. */
export interface ResourceRow {
  address: string;
  action: DiffAction;
  /** tofu's reason in words, e.g. "replace because cannot update". */
  reason?: string;
  previousAddress?: string;
  importingId?: string;
  deposed?: string;
  attributes: AttributeRow[];
  unchanged: number;
}

/** The whole diff, ready to show, with counts per action. */
export interface DiffModel {
  resources: ResourceRow[];
  outputs: { name: string; action: DiffAction; before?: string; after?: string; sensitive: boolean; unknown: boolean }[];
  counts: Record<DiffAction, number>;
}

/**
 * A value as text: strings as they are (so a mask reads as the mask), everything else as compact
 * JSON; null as "null". Long values are not cut here (the view wraps them).
 */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  // JSON.stringify answers undefined only for functions and symbols, which JSON never holds.
  return JSON.stringify(v) ?? '';
}

function attributeRow(a: AttributeDiff): AttributeRow {
  const row: AttributeRow = {
    name: a.name,
    sensitive: a.sensitive === true,
    unknown: a.unknown === true,
    forcesReplacement: a.forcesReplacement === true,
  };
  if ('before' in a) row.before = formatValue(a.before);
  if ('after' in a) row.after = formatValue(a.after);
  return row;
}

function resourceRow(r: ResourceDiff): ResourceRow {
  const row: ResourceRow = {
    address: r.address,
    action: diffAction(r.actions),
    attributes: r.attributes.map(attributeRow),
    unchanged: r.unchanged,
  };
  if (r.actionReason) row.reason = r.actionReason.replace(/_/g, ' ');
  if (r.previousAddress) row.previousAddress = r.previousAddress;
  if (r.importingId) row.importingId = r.importingId;
  if (r.deposed) row.deposed = r.deposed;
  return row;
}

/** The display model of a stored diff. */
export function diffModel(diff: PlanDiff): DiffModel {
  const resources = diff.resources.map(resourceRow);
  const counts: Record<DiffAction, number> = { create: 0, update: 0, delete: 0, replace: 0, read: 0, forget: 0, 'no-op': 0 };
  for (const r of resources) counts[r.action]++;
  const outputs = diff.outputs.map((o) => {
    const out: DiffModel['outputs'][number] = {
      name: o.name,
      action: diffAction(o.actions),
      sensitive: o.sensitive === true,
      unknown: o.unknown === true,
    };
    if ('before' in o) out.before = formatValue(o.before);
    if ('after' in o) out.after = formatValue(o.after);
    return out;
  });
  return { resources, outputs, counts };
}

/** "sha256:0123456789ab…": the digest shortened for display (the full one is copied). */
export function shortDigest(digest: string | undefined, hex = 12): string {
  if (!digest) return '';
  const [algo, value] = digest.includes(':') ? (digest.split(':', 2) as [string, string]) : ['', digest];
  const short = value.length > hex ? `${value.slice(0, hex)}…` : value;
  return algo ? `${algo}:${short}` : short;
}
