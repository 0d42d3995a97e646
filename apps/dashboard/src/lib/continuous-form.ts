/**
 * The continuous reconciliation fields of the module and stack forms (issue 13): the source's poll
 * interval and webhook Secret (modules), drift detection and notifications (both). Checked with the
 * CRD schema and the JavaScript twins of its CEL rules (FieldRules.pollInterval, .driftInterval), like
 * the rest of the form; errors are keyed by the API's field paths.
 */
import {
  DriftMode,
  NotificationEvent,
  tofuModuleCrd,
  validateSchema,
  type DriftModeName,
  type JSONSchemaProps,
  type NotificationEventName,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';
import type { FieldErrors } from './validation.ts';

/** What the form edits (strings as typed; empty means "not set", the operator's default). */
export interface ContinuousForm {
  pollInterval: string;
  webhookSecret: string;
  webhookKey: string;
  drift: boolean;
  driftInterval: string;
  driftMode: DriftModeName | '';
  notify: boolean;
  notifySecret: string;
  notifyKey: string;
  /** Empty: every event. */
  notifyEvents: NotificationEventName[];
}

/** The drift modes and notification events, in the CRD's order. */
export const DRIFT_MODES: readonly DriftModeName[] = Object.values(DriftMode);
export const NOTIFICATION_EVENTS: readonly NotificationEventName[] = Object.values(NotificationEvent);

/** The form's field paths, for the error summary and the API's field errors. */
export const CONTINUOUS_PATHS = {
  pollInterval: 'spec.source.pollInterval',
  webhookSecretRef: 'spec.source.webhookSecretRef',
  driftInterval: 'spec.driftDetection.interval',
  driftMode: 'spec.driftDetection.mode',
  notifySecretRef: 'spec.notifications.webhookSecretRef',
  notifyEvents: 'spec.notifications.events',
} as const;

export function continuousFormFrom(o?: TofuModule | TofuStack): ContinuousForm {
  const source = o && 'source' in o.spec ? o.spec.source : undefined;
  const d = o?.spec.driftDetection;
  const n = o?.spec.notifications;
  return {
    pollInterval: source?.pollInterval ?? '',
    webhookSecret: source?.webhookSecretRef?.name ?? '',
    webhookKey: source?.webhookSecretRef?.key ?? '',
    drift: d !== undefined,
    driftInterval: d?.interval ?? '',
    driftMode: d?.mode ?? '',
    notify: n !== undefined,
    notifySecret: n?.webhookSecretRef.name ?? '',
    notifyKey: n?.webhookSecretRef.key ?? '',
    notifyEvents: [...(n?.events ?? [])],
  };
}

/** The CRD's schema of a field below TofuModule.spec. */
function field(...path: string[]): JSONSchemaProps {
  let schema: JSONSchemaProps | undefined = tofuModuleCrd.spec;
  for (const key of path) schema = schema?.properties?.[key];
  if (!schema) throw new Error(`the TofuModule schema has no field spec.${path.join('.')}`);
  return schema;
}

const problem = (value: unknown, schema: JSONSchemaProps): string | undefined =>
  validateSchema(value, schema, '', { rules: true })[0]?.message;

/** Checks the fields against the CRD: durations, Secret names and keys. `kind` stacks have no source fields. */
export function validateContinuous(f: ContinuousForm, kind: 'modules' | 'stacks'): FieldErrors {
  const errors: FieldErrors = {};
  const set = (path: string, message: string | undefined) => {
    if (message) errors[path] = message;
  };
  const secretRef = (path: string, name: string, key: string) => {
    if (name.trim() === '') return set(path, key.trim() ? 'choose the Secret the key is in' : 'choose a Secret');
    set(path, problem({ name: name.trim(), ...(key.trim() ? { key: key.trim() } : {}) }, field('source', 'webhookSecretRef')));
  };
  if (kind === 'modules') {
    if (f.pollInterval.trim()) set(CONTINUOUS_PATHS.pollInterval, problem(f.pollInterval.trim(), field('source', 'pollInterval')));
    if (f.webhookSecret.trim() || f.webhookKey.trim()) secretRef(CONTINUOUS_PATHS.webhookSecretRef, f.webhookSecret, f.webhookKey);
  }
  if (f.drift && f.driftInterval.trim())
    set(CONTINUOUS_PATHS.driftInterval, problem(f.driftInterval.trim(), field('driftDetection', 'interval')));
  if (f.notify) secretRef(CONTINUOUS_PATHS.notifySecretRef, f.notifySecret, f.notifyKey);
  return errors;
}

const secretKeyRef = (name: string, key: string) => ({ name: name.trim(), ...(key.trim() ? { key: key.trim() } : {}) });

/** The spec with the form's fields applied; fields the form leaves empty are removed (the operator's defaults apply). */
export function applyContinuous<S extends TofuModule['spec'] | TofuStack['spec']>(
  spec: S,
  f: ContinuousForm,
  kind: 'modules' | 'stacks',
): S {
  const out = { ...spec } as S & { source?: TofuModule['spec']['source'] };
  if (kind === 'modules' && out.source) {
    const source = { ...out.source };
    if (f.pollInterval.trim()) source.pollInterval = f.pollInterval.trim();
    else delete source.pollInterval;
    if (f.webhookSecret.trim()) source.webhookSecretRef = secretKeyRef(f.webhookSecret, f.webhookKey);
    else delete source.webhookSecretRef;
    out.source = source;
  }
  if (f.drift)
    out.driftDetection = {
      ...(f.driftInterval.trim() ? { interval: f.driftInterval.trim() } : {}),
      ...(f.driftMode ? { mode: f.driftMode } : {}),
    };
  else delete out.driftDetection;
  if (f.notify)
    out.notifications = {
      webhookSecretRef: secretKeyRef(f.notifySecret, f.notifyKey),
      ...(f.notifyEvents.length ? { events: NOTIFICATION_EVENTS.filter((e) => f.notifyEvents.includes(e)) } : {}),
    };
  else delete out.notifications;
  return out;
}
