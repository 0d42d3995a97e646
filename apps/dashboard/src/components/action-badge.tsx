import { ACTION_SIGN, type DiffAction } from '../lib/plan-diff-model.ts';

/** A resource's planned action as a badge with tofu's sign, so it is not told by colour alone. */
export function ActionBadge({ action }: { action: DiffAction }) {
  return (
    <span className={`badge action action-${action}`} data-testid="action" data-action={action}>
      <span aria-hidden="true" className="mono">
        {ACTION_SIGN[action]}
      </span>{' '}
      {action}
    </span>
  );
}
