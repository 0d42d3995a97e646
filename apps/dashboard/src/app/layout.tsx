import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { THEME_SCRIPT } from '../lib/theme.ts';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'tofu-operator', template: '%s — tofu-operator' },
  description: 'OpenTofu modules, stacks and plans on Kubernetes',
};
export const viewport: Viewport = { colorScheme: 'light dark' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets data-theme on <html> before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Before the first paint: the chosen theme (light / dark / system), never a flash of the other. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
