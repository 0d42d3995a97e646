/** What the archiver does with one line read again after a leader change. */
export type ResumeStep =
  /** The line is stored already (before the resume point, or the same as the stored one). */
  | 'skip'
  /** The line differs from the stored one: record a gap, then store the pod's lines from here on. */
  | 'gap'
  /** The resume point is passed: store the line and every one after it. */
  | 'new';

/**
 * Matches the pod's log, read again from its start by a new leader, against the stored one: lines
 * before the last stored chunk are skipped unread (they are stored for good), the last chunk's lines
 * must come back the same. When the kubelet has rotated the log file they do not, and the stored
 * lines are kept as they are (never overwritten with different ones).
 */
export class ResumeCheck {
  /** Lines of the pod's log seen so far. */
  private seen = 0;

  constructor(
    /** Line number of the first line of the last stored chunk. */
    private readonly firstLine: number,
    /** The last stored chunk's lines. */
    private readonly stored: readonly string[],
  ) {}

  /** Number of stored lines (the resume point). */
  get end(): number {
    return this.firstLine + this.stored.length;
  }

  /** The step for line number `seq` of the pod's log (called in order). */
  step(seq: number, line: string): ResumeStep {
    this.seen = seq + 1;
    if (seq < this.firstLine) return 'skip';
    if (seq >= this.end) return 'new';
    return this.stored[seq - this.firstLine] === line ? 'skip' : 'gap';
  }

  /** At the end of the pod's log: it ended before the resume point (shorter than what is stored). */
  endedShort(): boolean {
    return this.seen < this.end;
  }
}
