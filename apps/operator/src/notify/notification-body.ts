// The JSON body of a webhook notification (docs/guides/notifications.md): what ran and how it ended,
// never a variable value, an output, a log line or anything read from a Secret.
import type { DriftCounts, NotificationEventName, PlanSummary, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';

/** The body POSTed to a notification webhook. */
export interface NotificationBody {
  event: NotificationEventName;
  /** When the operator observed it (ISO time). */
  time: string;
  namespace: string;
  kind: 'TofuModule' | 'TofuStack';
  name: string;
  /** The run it is about (for Drifted: the drift check's plan, when still known). */
  execution?: {
    name: string;
    action: string;
    phase?: string;
    purpose: string;
    summary?: PlanSummary;
    failureCategory?: string;
    commit?: string;
  };
  /** Drifted only: what the drift plan would change back. */
  drift?: { counts: DriftCounts };
  /** The run's page in the dashboard, when the operator knows the dashboard's address. */
  url?: string;
}

/** Builds the body; `dashboardUrl` is the dashboard's base URL (TOFU_OPERATOR_DASHBOARD_URL), if any. */
export function notificationBody(
  event: NotificationEventName,
  owner: TofuModule | TofuStack,
  execution: TofuExecution | undefined,
  time: Date,
  dashboardUrl: string | undefined,
): NotificationBody {
  const namespace = owner.metadata.namespace ?? '';
  const body: NotificationBody = { event, time: time.toISOString(), namespace, kind: owner.kind, name: owner.metadata.name ?? '' };
  if (execution) {
    const s = execution.status;
    const commit = s?.plan?.commit ?? execution.spec.commit;
    body.execution = {
      name: execution.metadata.name ?? '',
      action: execution.spec.action,
      ...(s?.phase ? { phase: s.phase } : {}),
      purpose: execution.spec.purpose ?? 'Change',
      ...(s?.summary ? { summary: { ...s.summary } } : {}),
      ...(s?.phase === 'Failed' && s.failureCategory ? { failureCategory: s.failureCategory } : {}),
      ...(commit ? { commit } : {}),
    };
  }
  if (event === 'Drifted') body.drift = { counts: { add: 0, change: 0, destroy: 0, ...owner.status?.drift?.counts } };
  if (dashboardUrl) {
    const [plural, name] = execution
      ? ['executions', body.execution?.name ?? '']
      : [owner.kind === 'TofuStack' ? 'stacks' : 'modules', body.name];
    body.url = `${dashboardUrl.replace(/\/$/, '')}/ns/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;
  }
  return body;
}
