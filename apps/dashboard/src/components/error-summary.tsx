'use client';
import { useEffect, useRef } from 'react';
import type { SummaryEntry } from '../lib/error-summary.ts';

/**
 * The form's errors at its top, each a link that moves focus to its field. Focus moves here each
 * time `focusKey` changes (a submit that failed, in the browser or at the API), so a keyboard or
 * screen-reader user hears what is wrong instead of landing on the page's body.
 */
export function ErrorSummary({ entries, focusKey }: { entries: readonly SummaryEntry[]; focusKey: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focusKey > 0) ref.current?.focus();
  }, [focusKey]);
  if (entries.length === 0) return null;
  return (
    <div className="error-summary" ref={ref} tabIndex={-1} role="alert" aria-labelledby="error-summary-title" data-testid="error-summary">
      <h2 id="error-summary-title">{entries.length === 1 ? 'There is a problem' : `There are ${entries.length} problems`}</h2>
      <ul>
        {entries.map((e) => (
          <li key={e.path}>
            <a
              href={`#${e.target}`}
              onClick={(ev) => {
                const el = document.getElementById(e.target);
                if (!el) return;
                ev.preventDefault();
                el.focus();
              }}
            >
              {e.label}: {e.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
