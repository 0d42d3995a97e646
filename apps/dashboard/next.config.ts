import type { NextConfig } from 'next';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const config: NextConfig = {
  // npm workspaces hoist packages to the repository root; the workspace libs are linked there.
  turbopack: { root },
  outputFileTracingRoot: root,
  // .next/standalone: the server's traced files and node_modules subset, what the dashboard image
  // ships (tools/images/stage-dashboard.sh); `npm run dashboard` runs from the full tree as before.
  output: 'standalone',
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  headers() {
    return Promise.resolve([
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ]);
  },
};

export default config;
