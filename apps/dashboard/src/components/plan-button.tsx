'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { PlannableKind } from '@tofu-operator/api-contracts';
import { ApiError } from '../hooks/api.ts';
import { usePermissions, usePlan } from '../hooks/resources.ts';
import type { PlanBlock } from '../lib/owner-state.ts';

/**
 * Starts a plan of a module or stack and opens its execution. Hidden when the caller may not plan
 * (the same RBAC check the API makes); when a run is in progress the API answers 409 and the button
 * says so, with a link to the running execution. `block` (see planBlock) disables it beforehand with
 * the reason: a stack whose module is gone, or a run in progress.
 */
export function PlanButton({ ns, kind, name, block }: { ns: string; kind: PlannableKind; name: string; block?: PlanBlock | undefined }) {
  const perms = usePermissions(ns);
  const plan = usePlan(ns, kind);
  const router = useRouter();
  if (!perms.data?.[kind]?.plan) return null;
  const err = plan.error;
  const running = err instanceof ApiError && err.status === 409 ? err.body.running : undefined;
  return (
    <span className="plan">
      <button
        type="button"
        className="btn btn-primary"
        data-testid="plan"
        disabled={plan.isPending || !!block}
        aria-describedby={block ? 'plan-blocked' : undefined}
        title={block?.reason}
        onClick={() =>
          plan.mutate(name, {
            onSuccess: (r) => {
              if (r.execution?.metadata.name) router.push(`/ns/${ns}/executions/${r.execution.metadata.name}`);
            },
          })
        }
      >
        {plan.isPending ? 'Starting…' : 'Plan'}
      </button>
      {block && !plan.isPending && (
        <span className="inline-note" id="plan-blocked" data-testid="plan-blocked">
          {block.running ? (
            <>
              A run is in progress:{' '}
              <Link href={`/ns/${ns}/executions/${block.running}`} data-testid="running-execution">
                {block.running}
              </Link>
            </>
          ) : (
            block.reason
          )}
        </span>
      )}
      {running && !block && (
        <span className="inline-note" role="alert">
          A plan is already running:{' '}
          <Link href={`/ns/${running.namespace}/executions/${running.name}`} data-testid="running-execution">
            {running.name}
          </Link>
        </span>
      )}
      {err && !running && (
        <span className="inline-error" role="alert">
          {err.message}
        </span>
      )}
      {plan.data && !plan.data.execution && <span className="inline-note">Plan requested at {plan.data.requestedAt}.</span>}
    </span>
  );
}
