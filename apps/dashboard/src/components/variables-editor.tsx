'use client';
import type { VarsFromKind } from '@tofu-operator/api-types';
import { usePicker } from '../hooks/pickers.ts';
import { ApiError } from '../hooks/api.ts';
import type { InputsForm, VarRow, VarsFromRow, VarType } from '../lib/inputs-form.ts';
import type { FieldErrors } from '../lib/validation.ts';
import { Field } from './field.tsx';

const TYPES: { value: VarType; label: string }[] = [
  { value: 'string', label: 'string' },
  { value: 'number', label: 'number' },
  { value: 'bool', label: 'bool' },
  { value: 'json', label: 'JSON' },
];

type Update = (change: (f: InputsForm) => InputsForm) => void;

function replaceAt<T>(list: readonly T[], i: number, value: T): T[] {
  return list.map((x, j) => (j === i ? value : x));
}

/** One varsFrom row: kind, name (free text, or picked from the listed names with their keys), optional. */
function VarsFromRowEditor({ ns, row, i, error, update }: { ns: string; row: VarsFromRow; i: number; error?: string; update: Update }) {
  const picker = usePicker(ns, row.kind === 'Secret' ? 'secrets' : 'configmaps');
  const items = picker.data?.items ?? [];
  const chosen = items.find((o) => o.name === row.name.trim());
  const denied = picker.error instanceof ApiError && picker.error.status === 403;
  const set = (next: Partial<VarsFromRow>) => update((f) => ({ ...f, varsFrom: replaceAt(f.varsFrom, i, { ...row, ...next }) }));
  const plural = row.kind === 'Secret' ? 'Secrets' : 'ConfigMaps';
  return (
    <li className="card" data-testid={`varsfrom-${i}`}>
      <Field id={`spec-varsFrom-${i}`} label={`Source ${i + 1}`} error={error}>
        {(p) => (
          <span className="actions">
            <select aria-label="Kind" value={row.kind} onChange={(e) => set({ kind: e.target.value as VarsFromKind })}>
              <option value="ConfigMap">ConfigMap</option>
              <option value="Secret">Secret</option>
            </select>
            <input
              {...p}
              aria-label={`${row.kind} name`}
              value={row.name}
              onChange={(e) => set({ name: e.target.value })}
              autoComplete="off"
            />
            <label>
              <input type="checkbox" checked={row.optional} onChange={(e) => set({ optional: e.target.checked })} /> optional
            </label>
            <button
              type="button"
              className="btn btn-small btn-quiet"
              onClick={() => update((f) => ({ ...f, varsFrom: f.varsFrom.filter((_, j) => j !== i) }))}
            >
              Remove
            </button>
          </span>
        )}
      </Field>
      {chosen ? (
        <p className="small" data-testid={`varsfrom-keys-${i}`}>
          Keys (each one a variable):{' '}
          {chosen.keys.length ? (
            chosen.keys.map((k) => (
              <code key={k} className="tag mono">
                {k}
              </code>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </p>
      ) : row.name.trim() && picker.data ? (
        <p className="small muted">
          No {row.kind} of that name in {ns} yet{row.optional ? ' (optional: it adds nothing until it exists)' : ''}.
        </p>
      ) : null}
      {denied ? (
        <p className="small muted" data-testid={`varsfrom-denied-${i}`}>
          Your token may not list {plural.toLowerCase()} in {ns}: type the name.
        </p>
      ) : items.length > 0 ? (
        <details>
          <summary>
            Choose from {items.length} {plural} (names and keys; values are never shown)
          </summary>
          <ul className="plain-list" data-testid={`varsfrom-picker-${i}`}>
            {items.map((o) => (
              <li key={o.name}>
                <button type="button" className="btn btn-small btn-quiet" onClick={() => set({ name: o.name })}>
                  {o.name}
                </button>{' '}
                <span className="muted small">
                  {o.type ? `${o.type}: ` : ''}
                  {o.keys.join(', ') || 'no keys'}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  );
}

/** Variables (typed rows), varsFrom (with pickers), varFiles and the outputs Secret of a module or stack. */
export function VariablesEditor({
  ns,
  form,
  errors,
  update,
  inherited = [],
}: {
  ns: string;
  form: InputsForm;
  errors: FieldErrors;
  update: Update;
  /** For a stack: the variables its module sets (a row of the same name overrides one). */
  inherited?: readonly string[];
}) {
  const setRow = (i: number, next: Partial<VarRow>) =>
    update((f) => ({ ...f, variables: replaceAt(f.variables, i, { ...f.variables[i]!, ...next }) }));
  return (
    <>
      <fieldset data-testid="variables" id="spec-variables" tabIndex={-1}>
        <legend>Variables</legend>
        {inherited.length > 0 && (
          <p className="hint" data-testid="inherited-variables">
            The module sets {inherited.join(', ')}; a row of the same name here overrides it.
          </p>
        )}
        {errors['spec.variables'] && (
          <p className="field-error" role="alert" data-testid="error-spec-variables">
            {errors['spec.variables']}
          </p>
        )}
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {form.variables.map((row, i) => {
              const err = errors[`spec.variables[${i}]`];
              const id = `spec-variables-${i}`;
              return (
                <tr key={i} data-testid={`variable-${i}`}>
                  <td>
                    <input
                      id={id}
                      aria-label={`Variable ${i + 1} name`}
                      aria-invalid={!!err}
                      aria-describedby={err ? `${id}-error` : undefined}
                      value={row.name}
                      onChange={(e) => setRow(i, { name: e.target.value })}
                      autoComplete="off"
                      spellCheck={false}
                    />
                    {err && (
                      <small id={`${id}-error`} className="field-error" role="alert" data-testid={`error-${id}`}>
                        {err}
                      </small>
                    )}
                  </td>
                  <td>
                    <select
                      aria-label={`Variable ${i + 1} type`}
                      value={row.type}
                      onChange={(e) => setRow(i, { type: e.target.value as VarType })}
                    >
                      {TYPES.map((t) => (
                        <option key={t.value} value={t.value}>
                          {t.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {row.type === 'json' ? (
                      <textarea
                        aria-label={`Variable ${i + 1} value`}
                        rows={2}
                        value={row.value}
                        onChange={(e) => setRow(i, { value: e.target.value })}
                        spellCheck={false}
                      />
                    ) : (
                      <input
                        aria-label={`Variable ${i + 1} value`}
                        value={row.value}
                        onChange={(e) => setRow(i, { value: e.target.value })}
                        inputMode={row.type === 'number' ? 'decimal' : undefined}
                        spellCheck={false}
                      />
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-quiet"
                      onClick={() => update((f) => ({ ...f, variables: f.variables.filter((_, j) => j !== i) }))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => update((f) => ({ ...f, variables: [...f.variables, { name: '', type: 'string', value: '' }] }))}
        >
          Add variable
        </button>
      </fieldset>
      <fieldset data-testid="vars-from" id="spec-varsFrom" tabIndex={-1}>
        <legend>Variables from ConfigMaps and Secrets</legend>
        <p className="hint">
          Every key is a variable (a key ending in .json holds JSON, .tfvars tofu&apos;s own syntax). Values from Secrets are masked in
          every log.
        </p>
        {errors['spec.varsFrom'] && (
          <p className="field-error" role="alert" data-testid="error-spec-varsFrom">
            {errors['spec.varsFrom']}
          </p>
        )}
        <ul className="plain-list">
          {form.varsFrom.map((row, i) => (
            <VarsFromRowEditor key={i} ns={ns} row={row} i={i} error={errors[`spec.varsFrom[${i}]`]} update={update} />
          ))}
        </ul>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => update((f) => ({ ...f, varsFrom: [...f.varsFrom, { kind: 'ConfigMap', name: '', optional: false }] }))}
        >
          Add source
        </button>
        <Field
          id="spec-varFiles"
          label="Variable files"
          hint="tfvars files in the repository, relative to the working directory; one per line"
          error={errors['spec.varFiles']}
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={form.varFiles}
              onChange={(e) => update((f) => ({ ...f, varFiles: e.target.value }))}
              spellCheck={false}
            />
          )}
        </Field>
        <Field
          id="spec-outputs-secretName"
          label="Outputs Secret"
          hint="Empty: outputs are only in status (non-sensitive ones). Set: every output is written to this Secret after each apply."
          error={errors['spec.outputs.secretName']}
        >
          {(p) => (
            <input
              {...p}
              value={form.outputsSecretName}
              onChange={(e) => update((f) => ({ ...f, outputsSecretName: e.target.value }))}
              autoComplete="off"
            />
          )}
        </Field>
      </fieldset>
    </>
  );
}
