import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { contrast, cssVariables } from './contrast.ts';

describe('contrast', () => {
  it('measures the WCAG extremes and known pairs', () => {
    assert.equal(contrast('#000000', '#ffffff'), 21);
    assert.equal(contrast('#fff', '#fff'), 1);
    // The dark theme's former primary button (issue 17): white on #8c6ff0.
    assert.equal(contrast('#ffffff', '#8c6ff0').toFixed(2), '3.72');
  });
  it('refuses what is not a hex colour', () => assert.throws(() => contrast('red', '#fff'), /not a hex colour/));
});

describe("the theme's colour pairs (globals.css) meet WCAG AA 4.5:1", () => {
  const css = readFileSync(new URL('../app/globals.css', import.meta.url), 'utf8');
  const light = cssVariables(css, ':root');
  const dark = { ...light, ...cssVariables(css, ":root[data-theme='dark']") };
  /** Text colour on background colour, as the stylesheet uses them. */
  const pairs: [string, string][] = [
    ['text', 'bg'],
    ['text', 'surface'],
    ['text', 'neutral-bg'],
    ['muted', 'bg'],
    ['muted', 'surface'],
    ['muted', 'surface-2'],
    ['accent', 'bg'],
    ['accent', 'surface'],
    ['accent-text', 'accent-bg'],
    ['ok', 'ok-bg'],
    ['ok', 'surface'],
    ['bad', 'bad-bg'],
    ['bad', 'surface'],
    ['warn', 'warn-bg'],
    ['warn', 'surface'],
    ['run', 'run-bg'],
    ['run', 'surface'],
    ['log-text', 'log-bg'],
    ['log-muted', 'log-bg'],
  ];
  for (const [name, theme] of [
    ['light', light],
    ['dark', dark],
  ] as const)
    for (const [fg, bg] of pairs)
      it(`${name}: --${fg} on --${bg}`, () => {
        const ratio = contrast(theme[fg]!, theme[bg]!);
        assert.ok(ratio >= 4.5, `${theme[fg]} on ${theme[bg]} is ${ratio.toFixed(2)}:1`);
      });
});
