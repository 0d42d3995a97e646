import type { ReactNode } from 'react';
import { NamespaceShell } from './namespace-shell.tsx';

export default async function NamespaceLayout({ children, params }: { children: ReactNode; params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  return <NamespaceShell ns={decodeURIComponent(ns)}>{children}</NamespaceShell>;
}
