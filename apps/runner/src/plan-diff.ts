import {
  SENSITIVE_MASK,
  UNKNOWN_VALUE,
  type AttributeDiff,
  type OutputDiff,
  type PlanDiff,
  type ResourceDiff,
} from '@tofu-operator/api-types';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a sensitivity (or unknown) marking has a `true` anywhere. */
function anyTrue(marks: unknown): boolean {
  if (marks === true) return true;
  if (Array.isArray(marks)) return marks.some(anyTrue);
  if (isRecord(marks)) return Object.values(marks).some(anyTrue);
  return false;
}

/**
 * `value` with every part that `marks` (tofu's before_sensitive / after_sensitive: `true`, or an
 * object or array of the value's shape) marks sensitive replaced by SENSITIVE_MASK. A marking that
 * does not fit the value's shape masks the whole value when it marks anything: when in doubt, hide.
 * Pure.
 */
export function maskSensitive(value: unknown, marks: unknown): unknown {
  if (marks === undefined || marks === null || marks === false) return value;
  if (marks === true || (typeof marks !== 'object' && marks !== undefined)) return SENSITIVE_MASK;
  if (Array.isArray(value) && Array.isArray(marks)) return value.map((v, i) => maskSensitive(v, marks[i]));
  if (isRecord(value) && isRecord(marks)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSensitive(v, marks[k]);
    return out;
  }
  return anyTrue(marks) ? SENSITIVE_MASK : value;
}

/**
 * `value` with every part that `marks` (tofu's after_unknown) marks unknown set to UNKNOWN_VALUE,
 * including keys and elements the value lacks (tofu leaves unknown values out of `after`). Pure.
 */
export function markUnknown(value: unknown, marks: unknown): unknown {
  if (marks === true) return UNKNOWN_VALUE;
  if (Array.isArray(marks)) {
    const list = Array.isArray(value) ? value : [];
    const length = Math.max(list.length, marks.length);
    return Array.from({ length }, (_, i) => markUnknown(list[i], marks[i]));
  }
  if (isRecord(marks) && (isRecord(value) || value === undefined || value === null) && anyTrue(marks)) {
    const out: Json = { ...(isRecord(value) ? value : {}) };
    for (const [k, m] of Object.entries(marks)) if (anyTrue(m)) out[k] = markUnknown(out[k], m);
    return out;
  }
  return value;
}

/** Deep equality of JSON values (key order aside). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return false;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string') : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const isNoOp = (actions: string[]): boolean => actions.length === 0 || actions.every((a) => a === 'no-op');

/** The attribute changes of one resource change (tofu's `change` object). */
function attributesOf(change: Json): { attributes: AttributeDiff[]; unchanged: number } {
  const before = isRecord(change.before) ? change.before : undefined;
  const after = isRecord(change.after) ? change.after : undefined;
  const unknown = isRecord(change.after_unknown) ? change.after_unknown : {};
  const marksOf = (marks: unknown, name: string): unknown => (marks === true ? true : isRecord(marks) ? marks[name] : undefined);
  const replaced = new Set(
    (Array.isArray(change.replace_paths) ? (change.replace_paths as unknown[]) : []).map((p): unknown =>
      Array.isArray(p) ? (p as unknown[])[0] : undefined,
    ),
  );
  // A create (or a read) has no before, a delete (or a forget) no after; a replacement has both.
  const kind = !before ? 'create' : !after && !anyTrue(unknown) ? 'delete' : 'update';
  const names = new Set([
    ...Object.keys(before ?? {}),
    ...Object.keys(after ?? {}),
    ...Object.keys(unknown).filter((k) => anyTrue(unknown[k])),
  ]);
  const attributes: AttributeDiff[] = [];
  let unchanged = 0;
  for (const name of [...names].sort()) {
    const b = before?.[name] ?? null;
    const a = markUnknown(after?.[name], unknown[name]) ?? null;
    // Raw values are compared: a sensitive value that changes is a change (tofu shows it too), though
    // both sides read the same once masked.
    if (kind === 'update' && same(b, a)) {
      unchanged++;
      continue;
    }
    // Like tofu, a new resource shows the attributes it sets, a deleted one those it had.
    if ((kind === 'create' && a === null) || (kind === 'delete' && b === null)) continue;
    const bMarks = marksOf(change.before_sensitive, name);
    const aMarks = marksOf(change.after_sensitive, name);
    const diff: AttributeDiff = { name };
    if (kind !== 'create') diff.before = maskSensitive(b, bMarks);
    if (kind !== 'delete') diff.after = maskSensitive(a, aMarks);
    if (bMarks === true || aMarks === true) diff.sensitive = true;
    if (anyTrue(unknown[name])) diff.unknown = true;
    if (replaced.has(name)) diff.forcesReplacement = true;
    attributes.push(diff);
  }
  return { attributes, unchanged };
}

/** One entry of resource_changes, or undefined when it changes nothing. */
function resourceDiff(rc: Json): ResourceDiff | undefined {
  const change = isRecord(rc.change) ? rc.change : {};
  const actions = strings(change.actions);
  if (isNoOp(actions)) return undefined;
  const out: ResourceDiff = { address: text(rc.address) ?? '', actions, attributes: [], unchanged: 0 };
  const optional: [keyof ResourceDiff, unknown][] = [
    ['mode', rc.mode],
    ['type', rc.type],
    ['name', rc.name],
    ['provider', rc.provider_name],
    ['actionReason', rc.action_reason],
    ['previousAddress', rc.previous_address],
    ['deposed', rc.deposed],
    ['importingId', isRecord(change.importing) ? change.importing.id : undefined],
  ];
  for (const [key, value] of optional) if (text(value)) (out as unknown as Json)[key] = value;
  return { ...out, ...attributesOf(change) };
}

/** One entry of output_changes, or undefined when it does not change. */
function outputDiff(name: string, change: unknown): OutputDiff | undefined {
  if (!isRecord(change)) return undefined;
  const actions = strings(change.actions);
  if (isNoOp(actions)) return undefined;
  const out: OutputDiff = { name, actions };
  if (!actions.includes('create') || actions.includes('delete')) out.before = maskSensitive(change.before ?? null, change.before_sensitive);
  if (!actions.includes('delete') || actions.includes('create'))
    out.after = maskSensitive(markUnknown(change.after ?? null, change.after_unknown), change.after_sensitive);
  if (change.before_sensitive === true || change.after_sensitive === true) out.sensitive = true;
  if (anyTrue(change.after_unknown)) out.unknown = true;
  return out;
}

/**
 * The masked per-resource diff of a plan, from `tofu show -json <planfile>` (parsed): resources and
 * outputs that change, each attribute before and after, sensitive values masked, unknown values
 * marked. Reads only resource_changes and output_changes: never the variables, the prior state or
 * the configuration, which hold unmasked values. Pure.
 */
export function planDiff(plan: unknown): PlanDiff {
  if (!isRecord(plan)) throw new TypeError('the plan JSON is not an object');
  const resources = (Array.isArray(plan.resource_changes) ? plan.resource_changes : [])
    .filter(isRecord)
    .map(resourceDiff)
    .filter((r): r is ResourceDiff => r !== undefined);
  const outputs = Object.entries(isRecord(plan.output_changes) ? plan.output_changes : {})
    .map(([name, change]) => outputDiff(name, change))
    .filter((o): o is OutputDiff => o !== undefined);
  return { v: 1, resources, outputs };
}
