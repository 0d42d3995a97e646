// The accessibility scan of a page (issue 17): axe-core's WCAG 2.0/2.1 A and AA rules, run on the page
// as it is shown once its data has loaded.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The WCAG levels the dashboard meets: 2.0 and 2.1, A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The impacts that fail the scan. */
const BLOCKING = new Set(['serious', 'critical']);

export interface Finding {
  /** What was scanned: the page and the theme, e.g. "run page, Changes tab (dark)". */
  page: string;
  rule: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** The CSS selectors of the offending elements. */
  targets: string[];
}

/** Waits until no skeleton (a list or page still loading) is on the page. */
export async function loaded(page: Page): Promise<void> {
  await expect(page.locator('.skeleton')).toHaveCount(0);
  await expect(page.locator('main h1').first()).toBeVisible();
}

/** The serious and critical WCAG A/AA violations on the page as it is now. */
export async function scan(page: Page, what: string): Promise<Finding[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return result.violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .map((v) => ({
      page: what,
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/** Elements named per violation; the rest are counted. */
const SHOWN = 5;

/** One line per violation: where, which rule, how bad, on which elements, and where to read about it. */
export function report(findings: Finding[]): string {
  return findings
    .map((f) => {
      const on = f.targets.length > SHOWN ? [...f.targets.slice(0, SHOWN), `and ${f.targets.length - SHOWN} more`] : f.targets;
      return `- ${f.page}: ${f.rule} (${f.impact}) ${f.help}\n    on ${on.join(', ')}\n    see ${f.helpUrl}`;
    })
    .join('\n');
}
