'use client';
/**
 * Short confirmations after a create, save or delete ("Module web created"), shown by LiveToast in
 * the namespace's shell. A store outside React so a confirmation made just before a navigation
 * survives it: the shell (and its live region) stays mounted while the page under it changes.
 */
import { useSyncExternalStore } from 'react';

/** One confirmation; `id` tells two equal texts apart (so the live region announces both). */
export interface Toast {
  id: number;
  text: string;
}

/** How long a confirmation stays on screen. */
export const TOAST_MS = 6000;

let current: Toast | undefined;
let nextId = 1;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

/** Shows `text` as the confirmation (replacing the one shown) for TOAST_MS. */
export function notify(text: string): void {
  current = { id: nextId++, text };
  if (timer) clearTimeout(timer);
  timer = setTimeout(dismiss, TOAST_MS);
  emit();
}

/** Hides the confirmation shown. */
export function dismiss(): void {
  current = undefined;
  emit();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The confirmation shown now, if any. */
export function useToast(): Toast | undefined {
  return useSyncExternalStore(
    subscribe,
    () => current,
    () => undefined,
  );
}
