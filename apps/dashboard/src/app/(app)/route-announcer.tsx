'use client';
import { usePathname } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { documentTitle, pageTitle, routeOf } from '../../lib/routes.ts';

/** How long a client navigation waits for its page's heading (a detail page shows it once loaded). */
const HEADING_WAIT_MS = 3000;

/**
 * After each client navigation: the document title names the page (object, kind, namespace), a
 * polite live region announces it to screen readers, and focus moves to the page's heading (unless
 * the user has moved it meanwhile), so keyboard and screen-reader users start at the new content.
 * A first page load is announced by the browser itself and keeps its focus.
 */
export function RouteAnnouncer() {
  const pathname = usePathname();
  const [message, setMessage] = useState('');
  const first = useRef(true);
  useEffect(() => {
    // A not-found state names its own title (data-document-title on its heading).
    const own = document.querySelector<HTMLElement>('main [data-document-title]')?.dataset['documentTitle'];
    const title = documentTitle(own ?? pageTitle(routeOf(pathname)));
    document.title = title;
    if (first.current) {
      first.current = false;
      return;
    }
    setMessage(title);
    const before = document.activeElement;
    const deadline = performance.now() + HEADING_WAIT_MS;
    let frame = 0;
    const focusHeading = () => {
      const heading = document.querySelector<HTMLElement>('main h1');
      if (!heading) {
        if (performance.now() < deadline) frame = requestAnimationFrame(focusHeading);
        return;
      }
      const moved = document.activeElement !== before && document.activeElement !== document.body;
      if (moved && document.activeElement?.isConnected) return;
      if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
      heading.focus();
    };
    frame = requestAnimationFrame(focusHeading);
    return () => cancelAnimationFrame(frame);
  }, [pathname]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="route-announcer">
      {message}
    </div>
  );
}
