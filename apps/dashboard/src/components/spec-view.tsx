import { EnvView } from './env-view.tsx';

/** A spec as nested definition lists (keys and values as text: nothing is rendered as HTML); an `env` list masks secret-looking literals. */
export function SpecView({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (Array.isArray(value)) {
    if (!value.length) return <span className="muted">[]</span>;
    return (
      <ol className="spec-list">
        {(value as unknown[]).map((v, i) => (
          <li key={i}>
            <SpecView value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) return <span className="muted">{'{}'}</span>;
    return (
      <dl className="spec">
        {entries.map(([k, v]) => (
          <div key={k} className="spec-row">
            <dt>{k}</dt>
            <dd>{k === 'env' && Array.isArray(v) ? <EnvView env={v} /> : <SpecView value={v} />}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</span>;
}
