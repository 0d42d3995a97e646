// Playwright in Debian's Chromium (never a downloaded browser), headless, against the whole real
// stack: the local cluster, the operator process and the dashboard server (started by global-setup).
import { defineConfig } from '@playwright/test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const outputDir = join(here, '../../test-output/dashboard-e2e');

export default defineConfig({
  testDir: join(here, 'src'),
  testMatch: '**/*.spec.ts',
  outputDir: join(outputDir, 'results'),
  globalSetup: join(here, 'src/global-setup.ts'),
  // One cluster, one operator: the tests share them and run one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // A stray test.only would quietly skip the rest of the suite.
  forbidOnly: true,
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: join(outputDir, 'report'), open: 'never' }]],
  use: {
    headless: true,
    launchOptions: { executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    viewport: { width: 1360, height: 900 },
  },
});
