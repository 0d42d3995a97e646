'use client';
import { useList } from '../hooks/resources.ts';
import type { InputsForm, InputsFromRow } from '../lib/inputs-form.ts';
import type { FieldErrors } from '../lib/validation.ts';

type Update = (change: (f: InputsForm) => InputsForm) => void;

/** A stack's dependsOn (other stacks of the namespace) and inputsFrom (another stack's output as a variable). */
export function StackInputsEditor({
  ns,
  self,
  form,
  errors,
  update,
}: {
  ns: string;
  self: string;
  form: InputsForm;
  errors: FieldErrors;
  update: Update;
}) {
  const stacks = useList(ns, 'stacks');
  const others = (stacks.data ?? []).filter((s) => s.metadata.name !== self);
  const names = [...new Set([...others.map((s) => s.metadata.name ?? ''), ...form.dependsOn])].sort();
  const outputsOf = (stack: string) => stacks.data?.find((s) => s.metadata.name === stack)?.status?.outputsInfo?.names ?? [];
  const setRow = (i: number, next: Partial<InputsFromRow>) =>
    update((f) => ({ ...f, inputsFrom: f.inputsFrom.map((r, j) => (j === i ? { ...r, ...next } : r)) }));
  return (
    <fieldset data-testid="dependencies">
      <legend>Dependencies</legend>
      <div className={`field${errors['spec.dependsOn'] ? ' field-invalid' : ''}`} id="spec-dependsOn" tabIndex={-1}>
        <span>Depends on</span>
        {names.length === 0 ? (
          <p className="muted small">No other stacks in {ns}.</p>
        ) : (
          <ul className="plain-list" data-testid="depends-on">
            {names.map((n) => (
              <li key={n}>
                <label>
                  <input
                    type="checkbox"
                    checked={form.dependsOn.includes(n)}
                    onChange={(e) =>
                      update((f) => ({ ...f, dependsOn: e.target.checked ? [...f.dependsOn, n] : f.dependsOn.filter((d) => d !== n) }))
                    }
                  />{' '}
                  {n}
                  {!others.some((s) => s.metadata.name === n) && <span className="muted"> (not found)</span>}
                </label>
              </li>
            ))}
          </ul>
        )}
        <small className="hint">Waits for their successful apply before planning (condition DependenciesReady).</small>
        {errors['spec.dependsOn'] && (
          <small className="field-error" role="alert" data-testid="error-spec-dependsOn">
            {errors['spec.dependsOn']}
          </small>
        )}
      </div>
      <p>Inputs from other stacks&apos; outputs</p>
      <ul className="plain-list">
        {form.inputsFrom.map((row, i) => {
          const err = errors[`spec.inputsFrom[${i}]`];
          const outputs = outputsOf(row.stack);
          const listId = `inputs-from-outputs-${i}`;
          return (
            <li key={i} className="actions" data-testid={`inputs-from-${i}`}>
              <select
                id={`spec-inputsFrom-${i}`}
                aria-label={`Input ${i + 1} stack`}
                value={row.stack}
                onChange={(e) => setRow(i, { stack: e.target.value })}
              >
                <option value="">Stack…</option>
                {[...new Set([...others.map((s) => s.metadata.name ?? ''), row.stack])].filter(Boolean).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <input
                aria-label={`Input ${i + 1} output`}
                list={listId}
                placeholder="output"
                value={row.output}
                onChange={(e) => setRow(i, { output: e.target.value })}
                autoComplete="off"
              />
              <datalist id={listId}>
                {outputs.map((o) => (
                  <option key={o} value={o} />
                ))}
              </datalist>
              <span aria-hidden="true">→</span>
              <input
                aria-label={`Input ${i + 1} variable`}
                placeholder="variable"
                value={row.variable}
                onChange={(e) => setRow(i, { variable: e.target.value })}
                autoComplete="off"
              />
              <button
                type="button"
                className="btn btn-small btn-quiet"
                onClick={() => update((f) => ({ ...f, inputsFrom: f.inputsFrom.filter((_, j) => j !== i) }))}
              >
                Remove
              </button>
              {row.stack && outputs.length > 0 && (
                <small className="hint">
                  Outputs of {row.stack}: {outputs.join(', ')}
                </small>
              )}
              {err && (
                <small className="field-error" role="alert" data-testid={`error-spec-inputsFrom-${i}`}>
                  {err}
                </small>
              )}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => update((f) => ({ ...f, inputsFrom: [...f.inputsFrom, { stack: '', output: '', variable: '' }] }))}
      >
        Add input
      </button>
    </fieldset>
  );
}
