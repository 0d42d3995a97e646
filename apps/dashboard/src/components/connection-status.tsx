'use client';
import { useConnectionState } from '../hooks/socket.ts';

const TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unavailable: 'Live updates unavailable: refreshing over HTTP',
} as const;

/** Whether the page is live, reconnecting, or falling back to HTTP. */
export function ConnectionStatus() {
  const state = useConnectionState();
  return (
    <span className={`conn conn-${state}`} role="status" aria-live="polite" data-testid="connection" data-state={state}>
      <span className="conn-dot" aria-hidden="true" />
      {TEXT[state]}
    </span>
  );
}
