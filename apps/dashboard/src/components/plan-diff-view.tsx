import type { DiffModel, AttributeRow } from '../lib/plan-diff-model.ts';
import { ActionBadge } from './action-badge.tsx';
import { Empty } from './states.tsx';

function Value({ value, sensitive, what }: { value: string | undefined; sensitive: boolean; what: string }) {
  if (value === undefined) return <span className="muted">—</span>;
  return (
    <code className={`diff-value${sensitive ? ' diff-sensitive' : ''}`} aria-label={`${what}: ${value}`}>
      {value}
    </code>
  );
}

function Attributes({ rows }: { rows: AttributeRow[] }) {
  return (
    <table className="diff-attrs">
      <thead>
        <tr>
          <th scope="col">Attribute</th>
          <th scope="col">Before</th>
          <th scope="col" aria-hidden="true" />
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => (
          <tr key={a.name} data-testid="attribute" data-name={a.name}>
            <th scope="row" className="mono">
              {a.name}
              {a.forcesReplacement && <span className="forces"> (forces replacement)</span>}
            </th>
            <td data-testid="before">
              <Value value={a.before} sensitive={a.sensitive} what="before" />
            </td>
            <td aria-hidden="true" className="arrow">
              →
            </td>
            <td data-testid="after">
              <Value value={a.after} sensitive={a.sensitive} what="after" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A plan's changes per resource: address, action badge, and each changing top-level attribute before
 * → after, exactly as the runner stored them (sensitive values are its mask). Text only: nothing from
 * the diff is rendered as HTML.
 */
export function PlanDiffView({ model }: { model: DiffModel }) {
  if (model.resources.length === 0 && model.outputs.length === 0) return <Empty title="This plan changes no resources or outputs." />;
  return (
    <div className="plan-diff" data-testid="plan-diff">
      <ul className="diff-resources" aria-label="Resource changes">
        {model.resources.map((r) => (
          <li
            key={`${r.address}${r.deposed ? ` (deposed ${r.deposed})` : ''}`}
            className="diff-resource"
            data-testid="resource"
            data-address={r.address}
          >
            <div className="diff-resource-head">
              <ActionBadge action={r.action} /> <span className="mono diff-address">{r.address}</span>
              {r.deposed && <span className="muted"> (deposed object {r.deposed})</span>}
            </div>
            {(r.reason || r.previousAddress || r.importingId) && (
              <p className="muted small">
                {r.reason && <span>{r.reason}. </span>}
                {r.previousAddress && <span>Moved from {r.previousAddress}. </span>}
                {r.importingId && <span>Imported with id {r.importingId}.</span>}
              </p>
            )}
            {r.attributes.length > 0 && <Attributes rows={r.attributes} />}
            {r.unchanged > 0 && (
              <p className="muted small">
                {r.unchanged} unchanged attribute{r.unchanged === 1 ? '' : 's'} hidden
              </p>
            )}
          </li>
        ))}
      </ul>
      {model.outputs.length > 0 && (
        <section aria-labelledby="diff-outputs">
          <h3 id="diff-outputs">Outputs</h3>
          <Attributes
            rows={model.outputs.map((o) => ({
              name: o.name,
              ...(o.before !== undefined ? { before: o.before } : {}),
              ...(o.after !== undefined ? { after: o.after } : {}),
              sensitive: o.sensitive,
              unknown: o.unknown,
              forcesReplacement: false,
            }))}
          />
        </section>
      )}
    </div>
  );
}
