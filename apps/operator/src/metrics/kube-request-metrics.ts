// Requests the operator sent to the Kubernetes API server, by client, method, resource and status:
// what its rate budget is spent on (docs/operations.md), and the benchmarks' requests per stack.
import type { KubeTransport } from '@tofu-operator/reconcile-runtime';
import { Counter, type Registry } from 'prom-client';

/** The operator's API server clients by name: `reconcile` (reconcilers, caches, logs) and `review` (the API's access reviews). */
export type KubeClients = Partial<Record<'reconcile' | 'review', Pick<KubeTransport, 'requestCounts'>>>;

/** Registers tofu_operator_kube_requests_total, read from the clients' running totals at scrape time. */
export function kubeRequestMetrics(prefix: string, registers: Registry[], clients: KubeClients): void {
  const seen = new Map<string, number>();
  new Counter({
    name: `${prefix}kube_requests_total`,
    help: 'Requests sent to the Kubernetes API server (watches excluded), by client (reconcile, review), method, resource, subresource and HTTP status (0: no answer).',
    labelNames: ['client', 'method', 'resource', 'subresource', 'code'],
    registers,
    collect() {
      // The transports keep running totals; the counter advances by what happened since the last scrape.
      for (const [client, transport] of Object.entries(clients)) {
        for (const c of transport?.requestCounts() ?? []) {
          const labels = { client, method: c.method, resource: c.resource, subresource: c.subresource, code: String(c.code) };
          const key = JSON.stringify(labels);
          this.inc(labels, c.count - (seen.get(key) ?? 0));
          seen.set(key, c.count);
        }
      }
    },
  });
}
