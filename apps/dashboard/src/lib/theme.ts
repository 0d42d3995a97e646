/**
 * The colour theme: light, dark, or the system's (prefers-color-scheme), chosen in the header and
 * kept in localStorage. THEME_SCRIPT runs inline in <head> before the first paint, so a page never
 * flashes the other theme; the switch applies a new choice at once through applyTheme.
 */

/** The localStorage key of the choice (absent means "system"). */
export const THEME_KEY = 'tofu-operator.theme';

export type ThemeChoice = 'light' | 'dark' | 'system';

/** A stored value as a choice: anything but light or dark is "system". */
export function readChoice(stored: string | null | undefined): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** The theme a choice shows, given whether the system prefers dark. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

const QUERY = '(prefers-color-scheme: dark)';

/**
 * Sets `data-theme` (what the stylesheet keys on) and `data-theme-choice` on <html>, before the body
 * is painted; follows the system's setting while the choice is "system", and other tabs' choices.
 * The same rules as readChoice and resolveTheme (theme.spec.ts runs both), in plain ES5 for <head>.
 */
export const THEME_SCRIPT = `(function(){try{var k=${JSON.stringify(THEME_KEY)},d=document.documentElement,m=window.matchMedia(${JSON.stringify(QUERY)});function a(){var c=localStorage.getItem(k);if(c!=='light'&&c!=='dark')c='system';d.setAttribute('data-theme-choice',c);d.setAttribute('data-theme',c==='system'?(m.matches?'dark':'light'):c);}a();m.addEventListener('change',a);window.addEventListener('storage',function(e){if(e.key===k)a();});}catch(e){}})();`;

/** Stores a choice and shows it now (the switch in the header). */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(THEME_KEY);
  else localStorage.setItem(THEME_KEY, choice);
  const root = document.documentElement;
  root.setAttribute('data-theme-choice', choice);
  root.setAttribute('data-theme', resolveTheme(choice, window.matchMedia(QUERY).matches));
}
