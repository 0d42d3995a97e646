'use client';
import { useState } from 'react';
import { envShown, type EnvShown } from '../lib/secret-env.ts';

/**
 * A runner template's env on the Spec card: a literal under a secret-looking name is masked until
 * Show is clicked (its value is not in the page before), a reference names its Secret or ConfigMap.
 */
export function EnvView({ env }: { env: unknown[] }) {
  const rows = env.filter((e): e is { name: string } => !!e && typeof (e as { name?: unknown }).name === 'string').map(envShown);
  return (
    <dl className="spec" data-testid="spec-env">
      {rows.map((r) => (
        <div key={r.name} className="spec-row">
          <dt className="mono">{r.name}</dt>
          <dd>
            <EnvValue row={r} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function EnvValue({ row }: { row: EnvShown }) {
  const [shown, setShown] = useState(false);
  if (row.kind === 'ref') return <span className="muted">{row.text}</span>;
  if (row.kind === 'literal') return <span className="mono">{row.value}</span>;
  return (
    <span>
      <span className="mono" data-testid={`env-value-${row.name}`}>
        {shown ? row.value : '••••••••'}
      </span>{' '}
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={shown}
        aria-label={`${shown ? 'Hide' : 'Show'} ${row.name}`}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? 'Hide' : 'Show'}
      </button>{' '}
      <span className="muted">(a literal; a Secret reference is safer)</span>
    </span>
  );
}
