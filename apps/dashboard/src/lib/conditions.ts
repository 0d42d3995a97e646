/**
 * What a condition's status means, by its type: for most types True is the good state, but for
 * "abnormal-true" types (Kubernetes API conventions) such as Reconciling or Stalled, False is, so a
 * healthy object's `Reconciling False` must not look like a failure.
 */

/** How a condition's status is shown. */
export type ConditionTone = 'good' | 'bad' | 'warn' | 'progress' | 'neutral';

/** Types whose True is a state to look at and whose False is the normal one. */
const TRUE_IS: Record<string, ConditionTone> = {
  /** Work in progress: a run is queued or running. Not done is not bad. */
  Reconciling: 'progress',
  /** A plan waits for a human's approval. */
  AwaitingApproval: 'warn',
  Stalled: 'bad',
  Degraded: 'bad',
  /** The latest drift check found changes made outside OpenTofu (issue 13). */
  Drifted: 'bad',
  /** The run waits for a free slot in the run queue. */
  Queued: 'progress',
};
/** What False means for those types: nothing to report (neutral) or explicitly fine (good). */
const FALSE_IS: Record<string, ConditionTone> = {
  Reconciling: 'neutral',
  AwaitingApproval: 'neutral',
  Stalled: 'good',
  Degraded: 'good',
  Drifted: 'good',
  Queued: 'neutral',
};

/** The tone of a condition's status: Unknown is neutral; True/False by the type's polarity. */
export function conditionTone(type: string, status: string): ConditionTone {
  if (status !== 'True' && status !== 'False') return 'neutral';
  const abnormal = TRUE_IS[type];
  if (abnormal) return status === 'True' ? abnormal : FALSE_IS[type]!;
  return status === 'True' ? 'good' : 'bad';
}
