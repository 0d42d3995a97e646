import { pino } from 'pino';
import { LeaderElector } from '../kube/leader-election.js';
import type { Lease } from '../kube/types.js';
import { FakeClock } from './fake-clock.js';
import { FakeObjects } from './fake-objects.js';

/** A lease server, a clock, and candidates on them that record their leadership callbacks. */
export function election(clock = new FakeClock(), server = new FakeObjects()) {
  const log = pino({ level: 'silent' });
  const candidate = (identity: string) => {
    const elector = new LeaderElector(server, { namespace: 'ns', name: 'lock', identity, clock }, log);
    const seen: string[] = [];
    elector.run({ onStarted: () => seen.push('started'), onStopped: () => seen.push('stopped') });
    return { elector, seen };
  };
  const lease = () => server.peek<Lease>('ns', 'lock');
  /** Stores the lease as another process (or the spec) writes it. */
  const putLease = (spec: Lease['spec']) =>
    server.put<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'lock', namespace: 'ns' }, spec });
  return { clock, server, candidate, lease, putLease };
}
