import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { PATH_HEADER, signInUrl } from '../../lib/return-path.ts';
import { pageTitle, routeOf } from '../../lib/routes.ts';
import { SESSION_COOKIE } from '../../server/session.ts';
import { Providers } from '../providers.tsx';
import { RouteAnnouncer } from './route-announcer.tsx';

/** The page's title from its path (the proxy names it), so it is right before any script runs. */
export async function generateMetadata(): Promise<Metadata> {
  const path = (await headers()).get(PATH_HEADER);
  return path ? { title: pageTitle(routeOf(path)) } : {};
}

/**
 * The signed-in part: without a session cookie, the sign-in page, which returns to the requested
 * page afterwards (the proxy names it; the API checks the token itself).
 */
export default async function AppLayout({ children }: { children: ReactNode }) {
  if (!(await cookies()).get(SESSION_COOKIE)?.value) redirect(signInUrl((await headers()).get(PATH_HEADER)));
  return (
    <Providers>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <RouteAnnouncer />
      {children}
    </Providers>
  );
}
