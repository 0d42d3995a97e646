// What the owner reconcilers read of the source poller (issue 13): the latest commit of an owner's
// source and the poll's health, and a callback when a commit changes. The poller (source-poller)
// implements it; the reconcilers depend only on this.
import type { Source } from '@tofu-operator/api-types';

/** The module or stack that wants its source polled. */
export interface SourceSubscriber {
  kind: 'TofuModule' | 'TofuStack';
  namespace: string;
  name: string;
}

/** What the poller knows of one source (repository, revision, credentials Secret). */
export interface SourceObservation {
  /** Full SHA the revision resolved to at the latest successful poll. */
  commit?: string;
  /** When the revision was last resolved successfully (ISO time). */
  lastPollTime?: string;
  /** When the next poll is due (ISO time), after a failure the backoff. */
  nextPollTime?: string;
  /** Set while polling fails: a SourceReady reason (ReconciliationReason) and a message naming the repository. */
  failure?: { reason: 'SourceUnreachable' | 'SourceAuthFailed' | 'RevisionNotFound'; message: string; since: string };
}

export interface SourceView {
  /**
   * Records that `subscriber` polls `source` (of the module in `namespace`) every `intervalMs` (0:
   * off, forget it) and returns what is known of it so far, or undefined before the first poll.
   * Cheap and synchronous: called on every reconcile. Subscribers sharing repository, revision and
   * credentials share one poll at the shortest interval among them.
   */
  observe(subscriber: SourceSubscriber, namespace: string, source: Source, intervalMs: number): SourceObservation | undefined;
  /** Forgets a subscriber (its owner was deleted). */
  forget(subscriber: SourceSubscriber): void;
  /** Called with the subscribers of a source whose commit (or failure) changed. */
  onChange(listener: (subscribers: readonly SourceSubscriber[]) => void): void;
}

/** Nest injection token of the SourceView. */
export const SOURCE_VIEW = Symbol('SourceView');
