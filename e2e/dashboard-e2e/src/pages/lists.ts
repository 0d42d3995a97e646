// Page objects of the lists' view controls (issue 17 item 10): phase filter, sort headers, scope,
// and the page controls (issue 15).
import type { Locator, Page } from '@playwright/test';

type Kind = 'modules' | 'stacks' | 'executions';

export class FilteredList {
  constructor(
    private readonly page: Page,
    private readonly ns: string,
    readonly kind: Kind,
  ) {}
  /** Opens the list with a query string ("?q=web&phase=failed"). */
  async goto(query = ''): Promise<void> {
    await this.page.goto(`/ns/${this.ns}/${this.kind}${query}`);
  }
  rows(): Locator {
    return this.page.getByTestId(`${this.kind}-rows`).locator('[role="row"]');
  }
  row(name: string, ns = this.ns): Locator {
    return this.page.getByTestId(`${this.kind}-rows`).locator(`[data-name="${name}"][data-namespace="${ns}"]`);
  }
  search(): Locator {
    return this.page.getByRole('searchbox');
  }
  /** "3 executions", "1 of 5 modules". */
  shown(): Locator {
    return this.page.getByTestId('shown-count');
  }
  chip(filter: 'all' | 'running' | 'pending' | 'succeeded' | 'failed'): Locator {
    return this.page.getByTestId('phase-filter').locator(`[data-filter="${filter}"]`);
  }
  sortButton(title: string): Locator {
    return this.page.getByRole('button', { name: new RegExp(`^${title}`) });
  }
  header(title: string): Locator {
    return this.page.getByRole('columnheader', { name: new RegExp(`^${title}`) });
  }
  /** The names of the rows in display order. */
  async names(): Promise<string[]> {
    return this.rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''));
  }
  scope(): Locator {
    return this.page.getByTestId('scope');
  }
  allNamespaces(): Locator {
    return this.page.getByTestId('scope-all');
  }
  /** The page controls (issue 15). */
  pager(): Locator {
    return this.page.getByRole('navigation', { name: `Pages of ${this.kind}` });
  }
  pageButton(name: 'First page' | 'Previous page' | 'Next page' | 'Last page'): Locator {
    return this.pager().getByRole('button', { name, exact: true });
  }
  /** "Page 2 of 6 · rows 51–100 of 300". */
  pageStatus(): Locator {
    return this.page.getByTestId('page-status');
  }
  pageSize(): Locator {
    return this.pager().getByLabel('Rows per page');
  }
  /** "Loading stacks: 100 of 300; …" while a big list still loads. */
  loading(): Locator {
    return this.page.getByTestId('list-loading');
  }
}
