'use client';
import { usePermissions, POLL_MS } from '../hooks/resources.ts';
import { useNamespaceRefusal } from '../hooks/socket.ts';
import { watchNotice } from '../lib/watch-notice.ts';

/** Says when a namespace's live updates were refused (no `watch`) and its pages poll instead. */
export function WatchNotice({ ns }: { ns: string }) {
  const refusal = useNamespaceRefusal(ns);
  const perms = usePermissions(ns);
  const text = watchNotice({ ns, refusal, perms: perms.data, pollMs: POLL_MS });
  if (!text) return null;
  return (
    <p className="notice" role="status" data-testid="watch-notice">
      {text}
    </p>
  );
}
