'use client';
import { useEffect, useState } from 'react';
import { applyTheme, readChoice, THEME_KEY, type ThemeChoice } from '../../lib/theme.ts';

const LABELS: Record<ThemeChoice, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

/** Light, dark or the system's theme; kept in localStorage (the inline script applies it on load). */
export function ThemeSwitch() {
  const [choice, setChoice] = useState<ThemeChoice>('system');
  // The stored choice is only readable in the browser; the server renders "system".
  useEffect(() => setChoice(readChoice(localStorage.getItem(THEME_KEY))), []);
  return (
    <label className="theme-switch">
      <span className="visually-hidden">Theme</span>
      <select
        value={choice}
        data-testid="theme-switch"
        onChange={(e) => {
          const next = readChoice(e.target.value);
          setChoice(next);
          applyTheme(next);
        }}
      >
        {(Object.keys(LABELS) as ThemeChoice[]).map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
