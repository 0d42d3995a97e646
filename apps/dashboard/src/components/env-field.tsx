'use client';
import { ApiError } from '../hooks/api.ts';
import { usePicker } from '../hooks/pickers.ts';
import { removeEnvLine, secretLiterals, type SecretEnvRef } from '../lib/secret-env.ts';
import { parseEnv } from '../lib/validation.ts';
import { Field } from './field.tsx';

/**
 * The runner's environment: `NAME=value` lines, a warning when a secret-looking name gets a literal
 * (with a one-click switch to a Secret's key), and the switched variables' Secret and key pickers.
 */
export function EnvField({
  ns,
  id,
  text,
  setText,
  refs,
  setRefs,
  error,
}: {
  ns: string;
  id: string;
  text: string;
  setText: (text: string) => void;
  refs: SecretEnvRef[];
  setRefs: (change: (refs: SecretEnvRef[]) => SecretEnvRef[]) => void;
  error?: string | undefined;
}) {
  const risky = secretLiterals(parseEnv(text).env);
  const toRef = (name: string) => {
    setText(removeEnvLine(text, name));
    setRefs((r) => [...r.filter((x) => x.name !== name), { name, secret: '', key: '' }]);
  };
  return (
    <>
      <Field id={id} label="Environment" hint="NAME=value, one per line" error={error}>
        {(p) => <textarea {...p} name="env" rows={4} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />}
      </Field>
      {risky.map((name) => (
        <p key={name} className="inline-note" role="status" data-testid={`env-secret-warning-${name}`}>
          <code className="mono">{name}</code> looks like a secret: use a Secret reference (valueFrom) instead of a literal, which anyone
          who may read this object sees.{' '}
          <button type="button" className="btn btn-small" onClick={() => toRef(name)}>
            Use a Secret for {name}
          </button>
        </p>
      ))}
      {refs.map((r, i) => (
        <SecretRefRow key={r.name} ns={ns} row={r} set={(next) => setRefs((all) => all.map((x, j) => (j === i ? { ...x, ...next } : x)))} />
      ))}
    </>
  );
}

function SecretRefRow({ ns, row, set }: { ns: string; row: SecretEnvRef; set: (next: Partial<SecretEnvRef>) => void }) {
  const picker = usePicker(ns, 'secrets');
  const items = picker.data?.items ?? [];
  const denied = picker.error instanceof ApiError && picker.error.status === 403;
  const keys = items.find((s) => s.name === row.secret.trim())?.keys ?? [];
  const base = `env-ref-${row.name}`;
  return (
    <fieldset data-testid={base}>
      <legend>
        <code className="mono">{row.name}</code> from a Secret
      </legend>
      <label className="field" htmlFor={`${base}-secret`}>
        <span>Secret</span>
        {denied || !items.length ? (
          <input id={`${base}-secret`} value={row.secret} onChange={(e) => set({ secret: e.target.value })} autoComplete="off" />
        ) : (
          <select id={`${base}-secret`} value={row.secret} onChange={(e) => set({ secret: e.target.value, key: '' })}>
            <option value="">Choose a Secret…</option>
            {items.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </label>
      <label className="field" htmlFor={`${base}-key`}>
        <span>Key</span>
        {keys.length ? (
          <select id={`${base}-key`} value={row.key} onChange={(e) => set({ key: e.target.value })}>
            <option value="">Choose a key…</option>
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        ) : (
          <input id={`${base}-key`} value={row.key} onChange={(e) => set({ key: e.target.value })} autoComplete="off" />
        )}
      </label>
    </fieldset>
  );
}
