import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { THEME_SCRIPT } from '../lib/theme.ts';
import { NONCE_HEADER } from '../server/security-headers.ts';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'tofu-operator', template: '%s — tofu-operator' },
  description: 'OpenTofu modules, stacks and plans on Kubernetes',
};
export const viewport: Viewport = { colorScheme: 'light dark' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The Content-Security-Policy allows inline scripts only with this request's nonce (src/proxy.ts).
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    // The theme script sets data-theme on <html> before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Before the first paint: the chosen theme (light / dark / system), never a flash of the other. */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
