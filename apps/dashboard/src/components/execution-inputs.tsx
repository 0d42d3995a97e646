import type { ExecutionInputs } from '@tofu-operator/api-types';
import { shortDigest } from '../lib/plan-diff-model.ts';

/**
 * The sources of an execution's variables (status.inputs), in the order applied: kind, name and the
 * keys each one set. Only names: the values are in a Secret the runner reads, never in status.
 */
export function ExecutionInputsView({ inputs }: { inputs: ExecutionInputs | undefined }) {
  if (!inputs?.sources?.length) return null;
  return (
    <details className="card" data-testid="execution-inputs">
      <summary>
        Inputs: {inputs.sources.length} source{inputs.sources.length === 1 ? '' : 's'}
        {inputs.digest && (
          <>
            {' '}
            <code className="mono muted" title={inputs.digest}>
              {shortDigest(inputs.digest)}
            </code>
          </>
        )}
      </summary>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Variables (keys)</th>
          </tr>
        </thead>
        <tbody>
          {inputs.sources.map((s, i) => (
            <tr key={i} data-testid={`input-source-${i}`}>
              <td>
                <span className="tag">{s.kind}</span>
              </td>
              <td className="mono">
                {s.name}
                {s.missing && <span className="muted"> (optional, missing)</span>}
              </td>
              <td className="mono">{s.keys?.length ? s.keys.join(', ') : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Values are never shown: values from Secrets are masked in the log too.</p>
    </details>
  );
}
