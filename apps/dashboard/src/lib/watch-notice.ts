/** The notice a namespace page shows when its live updates were refused, so polling is never silent. Pure. */
import { RESOURCE_KINDS, type Permissions } from '@tofu-operator/api-contracts';

/** The RBAC resource of each kind, as the notice names it. */
const RBAC = { modules: 'tofumodules', stacks: 'tofustacks', executions: 'tofuexecutions' } as const;

/**
 * "Live updates unavailable: you may not watch tofuexecutions in team-a; refreshing every 5 s." when
 * the subscription was refused and the permissions say which kinds lack `watch`; with the API's own
 * message when they do not (another refusal, or permissions not loaded yet). Undefined when the
 * subscription was accepted.
 */
export function watchNotice(opts: {
  ns: string;
  refusal: string | undefined;
  perms: Permissions | undefined;
  pollMs: number;
}): string | undefined {
  if (opts.refusal === undefined) return undefined;
  const every = `refreshing every ${Math.round(opts.pollMs / 1000)} s`;
  const unwatchable = RESOURCE_KINDS.filter((k) => opts.perms?.[k]?.watch === false).map((k) => RBAC[k]);
  if (unwatchable.length === 0) return `Live updates unavailable: ${opts.refusal}; ${every}.`;
  const list =
    unwatchable.length === 1 ? unwatchable[0] : `${unwatchable.slice(0, -1).join(', ')} or ${unwatchable[unwatchable.length - 1]}`;
  return `Live updates unavailable: you may not watch ${list} in ${opts.ns}; ${every}.`;
}
