import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { readChoice, resolveTheme, THEME_KEY, THEME_SCRIPT, type ThemeChoice } from './theme.ts';

/** Runs the inline script against a stand-in <html>, localStorage and media query. */
function runScript(stored: string | null, systemDark: boolean) {
  const attrs: Record<string, string> = {};
  const listeners: (() => void)[] = [];
  const media = { matches: systemDark, addEventListener: (_: string, f: () => void) => listeners.push(f) };
  runInNewContext(THEME_SCRIPT, {
    document: { documentElement: { setAttribute: (k: string, v: string) => (attrs[k] = v) } },
    localStorage: { getItem: (k: string) => (k === THEME_KEY ? stored : null) },
    window: { matchMedia: () => media, addEventListener: () => undefined },
  });
  return { attrs, media, listeners };
}

describe('theme', () => {
  it('reads a stored choice; anything else is system', () => {
    assert.equal(readChoice('dark'), 'dark');
    assert.equal(readChoice('light'), 'light');
    assert.equal(readChoice(null), 'system');
    assert.equal(readChoice('purple'), 'system');
  });
  for (const stored of ['light', 'dark', null, 'bogus'])
    for (const systemDark of [false, true])
      it(`the inline script agrees with resolveTheme: stored ${stored}, system ${systemDark ? 'dark' : 'light'}`, () => {
        const { attrs } = runScript(stored, systemDark);
        const choice: ThemeChoice = readChoice(stored);
        assert.equal(attrs['data-theme'], resolveTheme(choice, systemDark));
        assert.equal(attrs['data-theme-choice'], choice);
      });
  it('follows the system while the choice is system', () => {
    const { attrs, media, listeners } = runScript(null, false);
    assert.equal(attrs['data-theme'], 'light');
    media.matches = true;
    for (const f of listeners) f();
    assert.equal(attrs['data-theme'], 'dark');
  });
  it('keeps an explicit choice when the system changes', () => {
    const { attrs, media, listeners } = runScript('light', true);
    assert.equal(attrs['data-theme'], 'light');
    media.matches = false;
    for (const f of listeners) f();
    assert.equal(attrs['data-theme'], 'light');
  });
});
