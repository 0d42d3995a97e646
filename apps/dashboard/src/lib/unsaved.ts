/**
 * Unsaved edits: when a form differs from what it started with, and which clicks would drop it.
 * Pure (no DOM): the guard hook (hooks/use-unsaved-guard.ts) feeds it what it sees.
 */

/** True when the form's current values differ from its initial ones (plain data: compared as JSON). */
export function isDirty(initial: unknown, current: unknown): boolean {
  return stableJson(initial) !== stableJson(current);
}

/** JSON with object keys sorted, so the order fields were set in does not count as an edit. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What the guard knows of a click on a link. */
export interface LinkClick {
  /** The link's resolved href (`a.href`), or undefined when the click was not on a link. */
  href: string | undefined;
  /** The link's `target` attribute. */
  target: string | null;
  download: boolean;
  button: number;
  modified: boolean;
  defaultPrevented: boolean;
}

/**
 * True when a click would navigate this tab away from `current` (the page's URL): a plain left click
 * on a link to another page of the same tab. A new tab or window, a download, a modified click and a
 * jump to an anchor of the same page keep the form, so they are not asked about.
 */
export function leavesPage(click: LinkClick, current: string): boolean {
  if (!click.href || click.defaultPrevented || click.button !== 0 || click.modified || click.download) return false;
  if (click.target && click.target !== '_self') return false;
  let to: URL;
  let from: URL;
  try {
    to = new URL(click.href, current);
    from = new URL(current);
  } catch {
    return false;
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return false;
  return !(to.origin === from.origin && to.pathname === from.pathname && to.search === from.search);
}

/** The question asked before unsaved edits are dropped. */
export const UNSAVED_MESSAGE = 'You have unsaved changes. Leave this page and discard them?';
