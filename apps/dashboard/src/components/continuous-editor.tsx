'use client';
import { usePicker } from '../hooks/pickers.ts';
import { ApiError } from '../hooks/api.ts';
import { CONTINUOUS_PATHS, DRIFT_MODES, NOTIFICATION_EVENTS, type ContinuousForm } from '../lib/continuous-form.ts';
import { anchorId } from '../lib/error-summary.ts';
import type { FieldErrors } from '../lib/validation.ts';
import { Field } from './field.tsx';

type Update = (change: (f: ContinuousForm) => ContinuousForm) => void;

/**
 * A Secret and one of its keys, picked from the namespace's Secrets (names and key names only, never
 * values: the picker of issue 12), or typed when the token may not list Secrets.
 */
function SecretKeyPicker({
  ns,
  path,
  label,
  hint,
  defaultKey,
  name,
  secretKey,
  error,
  onChange,
}: {
  ns: string;
  path: string;
  label: string;
  hint: string;
  defaultKey: string;
  name: string;
  secretKey: string;
  error: string | undefined;
  onChange: (next: { name: string; key: string }) => void;
}) {
  const picker = usePicker(ns, 'secrets');
  const denied = picker.error instanceof ApiError && picker.error.status === 403;
  const items = picker.data?.items ?? [];
  const chosen = items.find((o) => o.name === name.trim());
  const id = anchorId(path);
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(p) => (
        <span className="actions">
          {denied || items.length === 0 ? (
            <input {...p} value={name} onChange={(e) => onChange({ name: e.target.value, key: secretKey })} autoComplete="off" />
          ) : (
            <select {...p} value={name} onChange={(e) => onChange({ name: e.target.value, key: '' })}>
              <option value="">Choose a Secret…</option>
              {items.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name} ({o.keys.join(', ') || 'no keys'})
                </option>
              ))}
              {name && !chosen && <option value={name}>{name} (not found)</option>}
            </select>
          )}
          <label>
            <span className="visually-hidden">{label}: </span>Key{' '}
            {chosen && chosen.keys.length > 0 ? (
              <select value={secretKey} onChange={(e) => onChange({ name, key: e.target.value })} data-testid={`${id}-key`}>
                <option value="">{defaultKey} (default)</option>
                {chosen.keys
                  .filter((k) => k !== defaultKey)
                  .map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
              </select>
            ) : (
              <input
                value={secretKey}
                placeholder={defaultKey}
                onChange={(e) => onChange({ name, key: e.target.value })}
                autoComplete="off"
                data-testid={`${id}-key`}
              />
            )}
          </label>
          {denied && <small className="muted">Your token may not list Secrets in {ns}: type the name.</small>}
        </span>
      )}
    </Field>
  );
}

/** Polling and webhook (modules), drift detection and notifications (modules and stacks). */
export function ContinuousEditor({
  ns,
  kind,
  form,
  errors,
  update,
}: {
  ns: string;
  kind: 'modules' | 'stacks';
  form: ContinuousForm;
  errors: FieldErrors;
  update: Update;
}) {
  const set = <K extends keyof ContinuousForm>(key: K, value: ContinuousForm[K]) => update((f) => ({ ...f, [key]: value }));
  const inherit = kind === 'stacks' ? " Unset: the module's applies; set: it replaces the module's as a whole." : '';
  return (
    <>
      {kind === 'modules' && (
        <fieldset data-testid="polling">
          <legend>Polling and push webhooks</legend>
          <Field
            id={anchorId(CONTINUOUS_PATHS.pollInterval)}
            label="Poll interval"
            hint='How often the operator looks for a new commit of the revision: e.g. "1m", "1h30m" (10s to 24h); "0" off; empty: 5m'
            error={errors[CONTINUOUS_PATHS.pollInterval]}
          >
            {(p) => <input {...p} name="pollInterval" value={form.pollInterval} onChange={(e) => set('pollInterval', e.target.value)} />}
          </Field>
          <SecretKeyPicker
            ns={ns}
            path={CONTINUOUS_PATHS.webhookSecretRef}
            label="Webhook Secret"
            hint="Optional: the HMAC secret of push webhooks to /hooks/git/{namespace}/{module}; a signed push polls at once"
            defaultKey="token"
            name={form.webhookSecret}
            secretKey={form.webhookKey}
            error={errors[CONTINUOUS_PATHS.webhookSecretRef]}
            onChange={({ name, key }) => update((f) => ({ ...f, webhookSecret: name, webhookKey: key }))}
          />
        </fieldset>
      )}
      <fieldset data-testid="drift-detection">
        <legend>Drift detection</legend>
        <label className="check">
          <input type="checkbox" name="drift" checked={form.drift} onChange={(e) => set('drift', e.target.checked)} /> Check for drift on an
          interval (a plan against the applied state).{inherit}
        </label>
        {form.drift && (
          <>
            <Field
              id={anchorId(CONTINUOUS_PATHS.driftInterval)}
              label="Drift check interval"
              hint="1m to 720h, jittered per object; empty: 1h"
              error={errors[CONTINUOUS_PATHS.driftInterval]}
            >
              {(p) => (
                <input {...p} name="driftInterval" value={form.driftInterval} onChange={(e) => set('driftInterval', e.target.value)} />
              )}
            </Field>
            <Field
              id={anchorId(CONTINUOUS_PATHS.driftMode)}
              label="When drift is found"
              hint="Detect reports it; Approve leaves the drift plan waiting for approval; AutoApply applies it"
              error={errors[CONTINUOUS_PATHS.driftMode]}
            >
              {(p) => (
                <select
                  {...p}
                  name="driftMode"
                  value={form.driftMode}
                  onChange={(e) => set('driftMode', e.target.value as ContinuousForm['driftMode'])}
                >
                  <option value="">Detect (default)</option>
                  {DRIFT_MODES.filter((m) => m !== 'Detect').map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </>
        )}
      </fieldset>
      <fieldset data-testid="notifications">
        <legend>Notifications</legend>
        <label className="check">
          <input type="checkbox" name="notify" checked={form.notify} onChange={(e) => set('notify', e.target.checked)} /> POST a JSON
          notification of runs to a URL kept in a Secret.{inherit}
        </label>
        {form.notify && (
          <>
            <SecretKeyPicker
              ns={ns}
              path={CONTINUOUS_PATHS.notifySecretRef}
              label="URL Secret"
              hint="The Secret whose key holds the http(s) URL; its value is never shown"
              defaultKey="url"
              name={form.notifySecret}
              secretKey={form.notifyKey}
              error={errors[CONTINUOUS_PATHS.notifySecretRef]}
              onChange={({ name, key }) => update((f) => ({ ...f, notifySecret: name, notifyKey: key }))}
            />
            <fieldset id={anchorId(CONTINUOUS_PATHS.notifyEvents)} tabIndex={-1}>
              <legend>Events (none checked: all)</legend>
              {NOTIFICATION_EVENTS.map((ev) => (
                <label key={ev} className="check">
                  <input
                    type="checkbox"
                    checked={form.notifyEvents.includes(ev)}
                    onChange={(e) =>
                      update((f) => ({
                        ...f,
                        notifyEvents: e.target.checked ? [...f.notifyEvents, ev] : f.notifyEvents.filter((x) => x !== ev),
                      }))
                    }
                  />{' '}
                  {ev}
                </label>
              ))}
              {errors[CONTINUOUS_PATHS.notifyEvents] && (
                <small className="field-error" role="alert">
                  {errors[CONTINUOUS_PATHS.notifyEvents]}
                </small>
              )}
            </fieldset>
          </>
        )}
      </fieldset>
    </>
  );
}
