import { test as base, type Page } from '@playwright/test';
import { outputDir } from './cluster.ts';
import { readEnv, type E2eEnv } from './env.ts';
import { SignInPage } from './pages/pages.ts';
import { ServiceExits } from './service-exits.ts';

export const test = base.extend<{
  env: E2eEnv;
  signIn: (page: Page, token: string) => Promise<void>;
  noUnexpectedExits: void;
}>({
  env: async ({}, use) => use(readEnv()),

  // A service that crashes during a test is started again by global-setup (so the later tests run),
  // but the test it crashed under fails here, naming the exit. Kills a test makes on purpose go through
  // killService, which announces them.
  noUnexpectedExits: [
    async ({}, use, testInfo) => {
      const exits = new ServiceExits(outputDir);
      const seen = exits.unexpected().length;
      await use();
      exits.assertNoneSince(seen, `during "${testInfo.title}"`);
    },
    { auto: true },
  ],

  baseURL: async ({}, use) => use(readEnv().baseURL),

  signIn: async ({}, use) =>
    use(async (page, token) => {
      const p = new SignInPage(page);
      await p.goto();
      await p.signIn(token);
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    }),
});

/**
 * Signs the browser out by dropping its cookies, after leaving the app: an app page left open without
 * its cookie gets 401 answers and navigates to sign-in by itself, which aborts the test's next
 * navigation (net::ERR_ABORTED) when the two cross.
 */
export async function signOut(page: Page): Promise<void> {
  await page.goto('about:blank');
  await page.context().clearCookies();
}

export { expect } from '@playwright/test';
