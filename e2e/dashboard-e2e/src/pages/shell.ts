// Page objects for what every page shares (issue 17): the not-found state, the theme switch and
// the primary button's measured contrast.
import type { Locator, Page } from '@playwright/test';

export class NotFoundPage {
  constructor(private readonly page: Page) {}
  state(): Locator {
    return this.page.getByTestId('not-found');
  }
  title(): Locator {
    return this.page.getByTestId('not-found-title');
  }
  back(): Locator {
    return this.page.getByTestId('not-found-back');
  }
}

export class ThemeSwitch {
  constructor(private readonly page: Page) {}
  select(): Locator {
    return this.page.getByTestId('theme-switch');
  }
  async choose(theme: 'light' | 'dark' | 'system'): Promise<void> {
    await this.select().selectOption(theme);
  }
}

export class PrimaryButton {
  constructor(private readonly page: Page) {}
  /** WCAG contrast of the first primary button's text colour on its background, as rendered. */
  async contrast(): Promise<number> {
    return this.page
      .locator('.btn-primary')
      .first()
      .evaluate((el) => {
        const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
        const lum = (c: string) => {
          const [r, g, b] = rgb(c).map((v) => {
            const s = v / 255;
            return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          }) as [number, number, number];
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const style = getComputedStyle(el);
        const [hi, lo] = [lum(style.color), lum(style.backgroundColor)].sort((a, b) => b - a) as [number, number];
        return (hi + 0.05) / (lo + 0.05);
      });
  }
}

/** The theme and the body's background as soon as the body exists (before any app script runs). */
export async function firstPaintTheme(page: Page): Promise<{ theme: string | undefined; background: string }> {
  return page.evaluate(
    () =>
      new Promise<{ theme: string | undefined; background: string }>((resolve) => {
        const check = () =>
          document.body
            ? resolve({ theme: document.documentElement.dataset['theme'], background: getComputedStyle(document.body).backgroundColor })
            : requestAnimationFrame(check);
        check();
      }),
  );
}
