import { Injectable } from '@nestjs/common';

/** Called with true when this replica starts leading, with false when it stops. */
export type LeadershipListener = (leading: boolean) => void;

/**
 * Whether this replica leads, as events. The controller manager signals it from the leader elector's
 * callbacks (or once its controllers run, without election); work that only the leader does (the log
 * archiver) and the leader metric listen here, on a floor below the reconcilers, instead of asking
 * the controller manager.
 */
@Injectable()
export class Leadership {
  private leading = false;
  private readonly listeners = new Set<LeadershipListener>();

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Calls `listener` at every change, and at once when this replica already leads (so a late listener
   * misses nothing). Returns the function that removes it.
   */
  onChange(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    if (this.leading) listener(true);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Signals the current state; a repeat of the state already signalled is dropped. */
  set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    for (const listener of [...this.listeners]) listener(leading);
  }
}
