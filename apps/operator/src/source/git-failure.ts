// What a failed `git ls-remote` means for the owner's SourceReady condition, from git's stderr (git
// runs with LC_ALL=C, so its messages are English). The runner's patterns (@tofu-operator/api-types
// git-stderr), folded into the three reasons a poll can give.
import { refusedCredentials, refusedHostKey } from '@tofu-operator/api-types';
import type { SourceObservation } from './source-view.js';

/** The reason of a failed poll (a ReconciliationReason). */
export type PollFailureReason = NonNullable<SourceObservation['failure']>['reason'];

/** Lines of git's stderr worth showing: the last few that are not progress or hints, at most 300 characters. */
export function stderrDetail(stderr: string, redact: (s: string) => string = (s) => s): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(hint:|warning: redirecting to)/i.test(l));
  const text = redact(lines.slice(-3).join('; '));
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** A failed ls-remote's reason and message (naming the repository as `shown`, never a credential). */
export function classifyLsRemote(stderr: string, shown: string, detail: string): { reason: PollFailureReason; message: string } {
  const suffix = detail ? `: ${detail}` : '';
  if (refusedHostKey(stderr)) {
    return {
      reason: 'SourceAuthFailed',
      message: `the ssh host key of ${shown} is not one the "known_hosts" key of the credentials Secret lists${suffix}`,
    };
  }
  if (refusedCredentials(stderr)) {
    return {
      reason: 'SourceAuthFailed',
      message: `the git server of ${shown} refused the credentials (spec.source.credentialsSecretRef)${suffix}`,
    };
  }
  return { reason: 'SourceUnreachable', message: `cannot reach repository ${shown}${suffix}` };
}
