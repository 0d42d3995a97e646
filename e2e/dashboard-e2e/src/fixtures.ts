import { test as base, type Page } from '@playwright/test';
import { readEnv, type E2eEnv } from './env.ts';
import { SignInPage } from './pages/pages.ts';

export const test = base.extend<{ env: E2eEnv; signIn: (page: Page, token: string) => Promise<void> }>({
  env: async ({}, use) => use(readEnv()),

  baseURL: async ({}, use) => use(readEnv().baseURL),

  signIn: async ({}, use) =>
    use(async (page, token) => {
      const p = new SignInPage(page);
      await p.goto();
      await p.signIn(token);
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    }),
});

export { expect } from '@playwright/test';
