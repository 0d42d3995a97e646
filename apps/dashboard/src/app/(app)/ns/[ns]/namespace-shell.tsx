'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { ConnectionStatus } from '../../../../components/connection-status.tsx';
import { LiveToast } from '../../../../components/live-toast.tsx';
import { WatchNotice } from '../../../../components/watch-notice.tsx';
import { useNamespaceLive, useNamespaces } from '../../../../hooks/resources.ts';
import { namespaceSwitchPath } from '../../../../lib/page-nav.ts';
import { LAST_NAMESPACE } from '../../namespace-picker.tsx';
import { TopBar } from '../../top-bar.tsx';

const NAV = [
  ['', 'Overview'],
  ['/modules', 'Modules'],
  ['/stacks', 'Stacks'],
  ['/executions', 'Executions'],
  ['/queue', 'Queue'],
] as const;

/**
 * Header, navigation and the live subscription of one namespace. Switching the namespace keeps the
 * section (see namespaceSwitchPath); the confirmations of creates, saves and deletes show here.
 */
export function NamespaceShell({ ns, children }: { ns: string; children: ReactNode }) {
  useNamespaceLive(ns);
  const path = usePathname();
  const router = useRouter();
  const namespaces = useNamespaces();
  // Remembered for the picker only once the API lists it (the layout answered 404 for any other).
  const known = !!namespaces.data?.items.some((n) => n.name === ns);
  useEffect(() => {
    if (known) localStorage.setItem(LAST_NAMESPACE, ns);
  }, [ns, known]);
  const base = `/ns/${ns}`;
  return (
    <>
      <TopBar>
        <label className="ns-switch">
          <span className="visually-hidden">Namespace</span>
          <select
            value={ns}
            onChange={(e) => router.push(namespaceSwitchPath(path, window.location.search, e.target.value))}
            data-testid="namespace-switch"
          >
            {!known && <option value={ns}>{ns}</option>}
            {namespaces.data?.items.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        <nav aria-label="Sections" className="nav">
          {NAV.map(([suffix, label]) => {
            const href = base + suffix;
            const active = suffix === '' ? path === base : path.startsWith(href);
            return (
              <Link key={label} href={href} aria-current={active ? 'page' : undefined} className="nav-link">
                {label}
              </Link>
            );
          })}
        </nav>
        <ConnectionStatus />
      </TopBar>
      <main id="main" className="page">
        <WatchNotice ns={ns} />
        {children}
        <LiveToast />
      </main>
    </>
  );
}
