// The drift detection metrics (docs/guides/drift.md): finished checks by result, counted by the owner
// reconcilers, and which owners drift now, read from their Drifted condition at scrape time.
import { ConditionType } from '@tofu-operator/api-types';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClusterCache } from '../kube/cluster-cache.js';

/** What a finished drift check found. */
export type DriftCheckResult = 'drifted' | 'clean' | 'failed';

/** Registers tofu_operator_drift_checks_total and tofu_operator_drifted; answers the counter. */
export function driftMetrics(prefix: string, registers: Registry[], cache: ClusterCache): Counter<'result'> {
  const checks = new Counter({
    name: `${prefix}drift_checks_total`,
    help: 'Finished drift checks by result: drifted (changes found), clean (none) or failed.',
    labelNames: ['result'],
    registers,
  });
  for (const result of ['drifted', 'clean', 'failed'] satisfies DriftCheckResult[]) checks.inc({ result }, 0);
  new Gauge({
    name: `${prefix}drifted`,
    help: 'Modules and stacks with driftDetection, by namespace, kind and name: 1 while the latest check found drift (Drifted True), 0 when it found none.',
    labelNames: ['namespace', 'kind', 'name'],
    registers,
    collect() {
      // Owners deleted or without drift detection drop their series.
      this.reset();
      for (const o of [...cache.modules.list(), ...cache.stacks.list()]) {
        const drifted = o.status?.conditions?.find((c) => c.type === ConditionType.Drifted);
        if (drifted?.status !== 'True' && drifted?.status !== 'False') continue;
        this.set({ namespace: o.metadata.namespace ?? '', kind: o.kind, name: o.metadata.name ?? '' }, drifted.status === 'True' ? 1 : 0);
      }
    },
  });
  return checks;
}
