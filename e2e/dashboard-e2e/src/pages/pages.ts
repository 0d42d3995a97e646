// Page objects: one per page of the dashboard, in the words a user would use.
import { expect, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { outputDir } from '../cluster.ts';

/** Saves a full-page screenshot under test-output/dashboard-e2e/screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(outputDir, 'screenshots', `${name}.png`), fullPage: true });
}

export class SignInPage {
  constructor(private readonly page: Page) {}
  readonly token = () => this.page.getByLabel('Bearer token');
  readonly error = () => this.page.getByTestId('sign-in-error');

  async goto(): Promise<void> {
    await this.page.goto('/sign-in');
  }

  async signIn(token: string): Promise<void> {
    await this.token().fill(token);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }
}

export class NamespacePickerPage {
  constructor(private readonly page: Page) {}
  namespace(name: string): Locator {
    return this.page.getByTestId('namespaces').getByRole('link', { name });
  }
}

export class ListPage {
  constructor(
    private readonly page: Page,
    private readonly ns: string,
    private readonly kind: 'modules' | 'stacks' | 'executions',
  ) {}
  async goto(): Promise<void> {
    await this.page.goto(`/ns/${this.ns}/${this.kind}`);
  }
  row(name: string): Locator {
    return this.page.getByTestId(`${this.kind}-rows`).locator(`[data-name="${name}"]`);
  }
  create(): Locator {
    return this.page.getByTestId('create');
  }
  search(): Locator {
    return this.page.getByRole('searchbox');
  }
}

/** The module and stack forms; fields by their labels, errors by field path. */
export class ResourceFormPage {
  constructor(private readonly page: Page) {}
  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }
  error(path: string): Locator {
    return this.page.getByTestId(`error-${path.replaceAll('.', '-')}`);
  }
  async fill(values: Record<string, string>): Promise<void> {
    for (const [label, value] of Object.entries(values)) {
      const f = this.field(label);
      if ((await f.evaluate((el) => el.tagName)) === 'SELECT') await f.selectOption(value);
      else await f.fill(value);
    }
  }
  async submit(): Promise<void> {
    await this.page.getByRole('button', { name: /^(Create|Save)$/ }).click();
  }
}

/** A module's or stack's page. */
export class OwnerPage {
  constructor(
    private readonly page: Page,
    private readonly ns: string,
    private readonly kind: 'modules' | 'stacks',
    private readonly name: string,
  ) {}
  async goto(): Promise<void> {
    await this.page.goto(`/ns/${this.ns}/${this.kind}/${this.name}`);
  }
  title(): Locator {
    return this.page.getByTestId('title');
  }
  phase(): Locator {
    return this.page.locator('h1').getByTestId('phase');
  }
  planButton(): Locator {
    return this.page.getByTestId('plan');
  }
  runningLink(): Locator {
    return this.page.getByTestId('running-execution');
  }
  history(): Locator {
    return this.page.getByTestId('history');
  }
  /** The card of the plan waiting for approval (status.pendingPlan). */
  pendingPlan(): Locator {
    return this.page.getByTestId('pending-plan');
  }
  applyNow(): Locator {
    return this.page.getByTestId('apply-now');
  }
  setting(name: 'auto-apply' | 'deletion-policy' | 'backend'): Locator {
    return this.page.getByTestId(name);
  }
  async plan(): Promise<void> {
    await this.planButton().click();
  }
  destroyButton(): Locator {
    return this.page.getByTestId('destroy');
  }
  /** The Destroy dialog: the name to type, and its confirm button. */
  destroyDialog(): Locator {
    return this.page.getByTestId('destroy-dialog');
  }
  destroyTyped(): Locator {
    return this.destroyDialog().getByTestId('destroy-typed');
  }
  destroyConfirm(): Locator {
    return this.destroyDialog().getByTestId('destroy-confirm');
  }
}

export class ExecutionPage {
  constructor(private readonly page: Page) {}
  name(): Locator {
    return this.page.getByTestId('title');
  }
  phase(): Locator {
    return this.page.locator('h1').getByTestId('phase');
  }
  log(): Locator {
    return this.page.getByTestId('log');
  }
  logLines(): Locator {
    return this.log().locator('.log-line .log-text');
  }
  logState(): Locator {
    return this.page.getByTestId('log-state');
  }
  summary(): Locator {
    return this.page.getByTestId('summary');
  }
  failure(): Locator {
    return this.page.getByTestId('failure');
  }
  failureMessage(): Locator {
    return this.page.getByTestId('failure-message');
  }
  started(): Locator {
    return this.page.getByTestId('started');
  }
  finished(): Locator {
    return this.page.getByTestId('finished');
  }
  async waitForPhase(phase: 'Succeeded' | 'Failed', timeout = 150_000): Promise<void> {
    await expect(this.phase()).toContainText(phase, { timeout });
  }
  action(): Locator {
    return this.page.getByTestId('execution-action');
  }

  // The review of a plan (issue 11).
  review(): Locator {
    return this.page.getByTestId('review');
  }
  reviewState(): Locator {
    return this.page.getByTestId('review-state');
  }
  /** The digest shown (short); its full value is in data-value. */
  digest(): Locator {
    return this.review().getByTestId('digest');
  }
  commit(): Locator {
    return this.review().getByTestId('commit');
  }
  tab(name: 'Changes' | 'Log'): Locator {
    return this.page.getByRole('tab', { name });
  }
  diff(): Locator {
    return this.page.getByTestId('plan-diff');
  }
  resource(address: string): Locator {
    return this.diff().locator(`[data-testid="resource"][data-address="${address}"]`);
  }
  attribute(address: string, name: string): Locator {
    return this.resource(address).locator(`[data-testid="attribute"][data-name="${name}"]`);
  }
  approveButton(): Locator {
    return this.page.getByTestId('approve');
  }
  rejectButton(): Locator {
    return this.page.getByTestId('reject');
  }
  approveDialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Approve plan/ });
  }
  approveDenied(): Locator {
    return this.page.getByTestId('approve-denied');
  }
  decision(): Locator {
    return this.page.getByTestId('decision');
  }
  /** On an apply: the plan it carries out. */
  planRef(): Locator {
    return this.page.getByTestId('plan-ref');
  }
  applySummary(): Locator {
    return this.page.getByTestId('apply-summary');
  }
  /** Opens the confirm dialog, checks it names `digest`, and approves. */
  async approve(digest: string): Promise<void> {
    await this.approveButton().click();
    const dialog = this.approveDialog();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('dialog-digest')).toHaveText(digest);
    await dialog.getByTestId('approve-confirm').click();
  }
}
