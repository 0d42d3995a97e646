// The Kubernetes Events the notifier records on a module or stack for each notification: type and
// message (the Event's reason is the notification's name). Only what status already shows: names,
// the plan summary, the failure category and message; never a value.
import type { NotificationEventName, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';

/** An Event to record on the owner. */
export interface EventNote {
  type: 'Normal' | 'Warning';
  message: string;
}

const firstLine = (text: string | undefined, max = 300) => {
  const line = (text ?? '').split('\n').find((l) => l.trim()) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

const runOf = (e: TofuExecution) => `${e.spec.purpose === 'DriftCheck' ? 'drift check' : e.spec.action} ${e.metadata.name ?? ''}`;

/** The Event of `event` on `owner` about `execution` (the drift check's plan for Drifted, when known). */
export function eventNote(event: NotificationEventName, owner: TofuModule | TofuStack, execution: TofuExecution | undefined): EventNote {
  const s = execution?.status;
  const run = execution ? runOf(execution) : 'run';
  switch (event) {
    case 'RunStarted': {
      const commit = execution?.spec.commit ? ` at ${execution.spec.commit.slice(0, 12)}` : '';
      return { type: 'Normal', message: `${run} started${commit}` };
    }
    case 'RunSucceeded': {
      const what = firstLine(s?.apply?.text ?? s?.summary?.text);
      return { type: 'Normal', message: `${run} succeeded${what ? `: ${what}` : ''}` };
    }
    case 'RunFailed': {
      const why = firstLine(s?.message);
      return { type: 'Warning', message: `${run} failed (${s?.failureCategory ?? 'Unknown'})${why ? `: ${why}` : ''}` };
    }
    case 'AwaitingApproval': {
      const what = firstLine(s?.summary?.text);
      return { type: 'Normal', message: `${run} waits for approval${what ? `: ${what}` : ''}` };
    }
    case 'Drifted': {
      const c = owner.status?.drift?.counts ?? {};
      const counts = `${c.add ?? 0} to add, ${c.change ?? 0} to change, ${c.destroy ?? 0} to destroy`;
      return {
        type: 'Warning',
        message: `changes made outside OpenTofu${execution ? `, found by ${run}` : ''} (to bring back: ${counts})`,
      };
    }
  }
}
