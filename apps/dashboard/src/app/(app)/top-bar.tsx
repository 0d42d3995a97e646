import Link from 'next/link';
import type { ReactNode } from 'react';
import { ThemeSwitch } from './theme-switch.tsx';

/** The header of every signed-in page. */
export function TopBar({ children }: { children?: ReactNode }) {
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        <span className="logo" aria-hidden="true">
          ◆
        </span>{' '}
        <span className="brand-name">tofu-operator</span>
      </Link>
      {children}
      <span className="spacer" />
      <ThemeSwitch />
      <form action="/auth/sign-out" method="post">
        <button type="submit" className="btn btn-quiet">
          Sign out
        </button>
      </form>
    </header>
  );
}
