import type { Condition } from '@tofu-operator/api-types';
import { conditionTone } from '../lib/conditions.ts';
import { age } from '../lib/format.ts';

/** Conditions with their reasons and messages (the Kubernetes API conventions shape). */
export function Conditions({ conditions }: { conditions: Condition[] | undefined }) {
  if (!conditions?.length) return <p className="muted">No conditions reported yet.</p>;
  // A narrow screen scrolls the table sideways in this box; with no link or button inside, the box
  // itself takes focus so the keyboard can scroll it (axe: scrollable-region-focusable).
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Conditions table">
      <table className="conditions">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Reason</th>
            <th scope="col">Message</th>
            <th scope="col">Changed</th>
          </tr>
        </thead>
        <tbody>
          {conditions.map((c) => (
            <tr key={c.type} data-testid={`condition-${c.type}`}>
              <th scope="row">{c.type}</th>
              <td>
                {/* Coloured by what the status means for this type: Reconciling False is the calm state. */}
                <span className={`cond cond-${conditionTone(c.type, c.status)}`} data-tone={conditionTone(c.type, c.status)}>
                  {c.status}
                </span>
              </td>
              <td className="mono">{c.reason}</td>
              <td className="pre-wrap">{c.message}</td>
              <td>
                <time dateTime={c.lastTransitionTime} title={c.lastTransitionTime}>
                  {age(c.lastTransitionTime)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
