import { cookies, headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { RESOURCE_KINDS } from '@tofu-operator/api-contracts';
import { PATH_HEADER, signInUrl } from '../../../../../../lib/return-path.ts';
import { objectPresence } from '../../../../../../server/api-checks.ts';
import { SESSION_COOKIE } from '../../../../../../server/session.ts';

/**
 * A module's, stack's or execution's pages (issue 17). Opened by address (a shared link, a reload),
 * an object that does not exist is an HTTP 404 with the namespace's "not found" page naming it. Client
 * navigations (the `RSC` request header) skip the check: there the page's own read shows the same
 * state, and an execution the dashboard just created may not be in the API's cache yet.
 */
export default async function ObjectLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ ns: string; kind: string; name: string }>;
}) {
  const h = await headers();
  if (h.get('rsc') === null) {
    const p = await params;
    const kind = RESOURCE_KINDS.find((k) => k === p.kind);
    if (!kind) notFound();
    const token = (await cookies()).get(SESSION_COOKIE)?.value ?? '';
    const presence = await objectPresence(token, decodeURIComponent(p.ns), kind, decodeURIComponent(p.name));
    if (presence === 'unauthorized') redirect(signInUrl(h.get(PATH_HEADER), true));
    if (presence === 'missing') notFound();
  }
  return children;
}
