import { cookies, headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { PATH_HEADER, signInUrl } from '../../../../lib/return-path.ts';
import { namespacePresence } from '../../../../server/api-checks.ts';
import { SESSION_COOKIE } from '../../../../server/session.ts';
import { NamespaceShell } from './namespace-shell.tsx';

/**
 * A namespace's pages. A namespace the token may not see (mistyped, deleted, or not its own) is a
 * 404 with "namespace not found" (`../not-found.tsx`), never an empty overview the picker remembers.
 */
export default async function NamespaceLayout({ children, params }: { children: ReactNode; params: Promise<{ ns: string }> }) {
  const ns = decodeURIComponent((await params).ns);
  const token = (await cookies()).get(SESSION_COOKIE)?.value ?? '';
  const presence = await namespacePresence(token, ns);
  if (presence === 'unauthorized') redirect(signInUrl((await headers()).get(PATH_HEADER), true));
  if (presence === 'missing') notFound();
  return <NamespaceShell ns={ns}>{children}</NamespaceShell>;
}
