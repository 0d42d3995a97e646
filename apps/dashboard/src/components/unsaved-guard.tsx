'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { leavesPage, UNSAVED_MESSAGE } from '../lib/unsaved.ts';

type Pending = { kind: 'link'; href: string } | { kind: 'back' };
const SENTINEL = '__tofuUnsaved';

/**
 * Asks before unsaved edits are dropped. The App Router has no route-change event, so while `dirty`:
 * a link click is caught in the capture phase, the back button pops a same-URL history entry pushed
 * for the purpose (caught before Next's own popstate handler), and closing or reloading the tab gets
 * the browser's `beforeunload` question. `leave(go)` is for the form's own ways out (Cancel, a saved
 * submit): they do not ask. Returns the dialog to render and `leave`.
 */
export function useUnsavedGuard(dirty: boolean): { dialog: ReactNode; leave: (go: (sentinel: boolean) => void) => void } {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const bypass = useRef(false);
  const sentinel = useRef(false);

  const pushSentinel = () => {
    if (sentinel.current) return;
    window.history.pushState({ ...(window.history.state as object), [SENTINEL]: true }, '', window.location.href);
    sentinel.current = true;
  };

  useEffect(() => {
    if (dirty && !bypass.current) pushSentinel();
  }, [dirty]);

  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      if (!dirtyRef.current || bypass.current) return;
      const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(a instanceof HTMLAnchorElement)) return;
      const click = {
        href: a.href,
        target: a.getAttribute('target'),
        download: a.hasAttribute('download'),
        button: e.button,
        modified: e.metaKey || e.ctrlKey || e.shiftKey || e.altKey,
        defaultPrevented: e.defaultPrevented,
      };
      if (!leavesPage(click, window.location.href)) return;
      e.preventDefault();
      e.stopPropagation();
      setPending({ kind: 'link', href: a.href });
    };
    const onPopState = (e: PopStateEvent) => {
      if (bypass.current || !sentinel.current) return;
      if ((e.state as Record<string, unknown> | null)?.[SENTINEL]) return;
      // The sentinel was popped: the URL is still this page's; Next must not see it.
      e.stopImmediatePropagation();
      sentinel.current = false;
      if (dirtyRef.current) setPending({ kind: 'back' });
      else window.history.back();
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!dirtyRef.current || bypass.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('popstate', onPopState, true);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('popstate', onPopState, true);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, []);

  useEffect(() => {
    if (pending && !dialog.current?.open) dialog.current?.showModal();
  }, [pending]);

  const stay = () => {
    dialog.current?.close();
  };
  const onClose = () => {
    // Escape, "Keep editing": the edits stay, and the back button asks again.
    if (pending && !bypass.current) {
      setPending(null);
      pushSentinel();
    }
  };
  const discard = () => {
    const p = pending;
    bypass.current = true;
    dialog.current?.close();
    setPending(null);
    if (p?.kind === 'back') window.history.back();
    else if (p?.kind === 'link') {
      const to = new URL(p.href);
      if (to.origin === window.location.origin) router.push(`${to.pathname}${to.search}${to.hash}`);
      else window.location.assign(p.href);
    }
  };
  const leave = (go: (sentinel: boolean) => void) => {
    bypass.current = true;
    go(sentinel.current);
  };

  const node = (
    <dialog ref={dialog} className="dialog" aria-labelledby="unsaved-title" data-testid="unsaved-dialog" onClose={onClose}>
      <h2 id="unsaved-title">Discard unsaved changes?</h2>
      <p>{UNSAVED_MESSAGE}</p>
      <div className="actions">
        <button type="button" className="btn" onClick={stay} autoFocus data-testid="unsaved-stay">
          Keep editing
        </button>
        <button type="button" className="btn btn-danger" onClick={discard} data-testid="unsaved-discard">
          Discard and leave
        </button>
      </div>
    </dialog>
  );
  return { dialog: node, leave };
}
