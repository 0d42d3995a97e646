import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { SESSION_COOKIE } from '../../server/session.ts';
import { Providers } from '../providers.tsx';

/** The signed-in part: without a session cookie, the sign-in page (the API checks the token itself). */
export default async function AppLayout({ children }: { children: ReactNode }) {
  if (!(await cookies()).get(SESSION_COOKIE)?.value) redirect('/sign-in');
  return (
    <Providers>
      <a className="skip" href="#main">
        Skip to content
      </a>
      {children}
    </Providers>
  );
}
