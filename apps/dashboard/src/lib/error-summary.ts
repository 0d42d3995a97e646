/**
 * The error summary at the top of the module and stack forms: one entry per field error (the form's
 * own checks and the API's 4xx field errors alike), in the order the fields appear, each naming its
 * field and pointing at the element to focus. Pure.
 */
import { NAME_PATH, type FieldErrors } from './validation.ts';

/** The id of a field's control: `spec.source.repository` -> `spec-source-repository`, `a[2]` -> `a-2`. */
export const anchorId = (path: string) => path.replaceAll('.', '-').replace(/\[(\d+)\]/g, '-$1');

/** One line of the summary. `target` is the id of the element its link moves focus to. */
export interface SummaryEntry {
  path: string;
  target: string;
  label: string;
  message: string;
}

/** Field names as the form labels them. */
const LABELS: Record<string, string> = {
  [NAME_PATH]: 'Name',
  'spec.source.repository': 'Git repository',
  'spec.source.revision': 'Revision',
  'spec.source.workdir': 'Working directory',
  'spec.moduleRef.name': 'Module',
  'spec.executionTemplate.image': 'Runner image',
  'spec.executionTemplate.activeDeadlineSeconds': 'Deadline (seconds)',
  'spec.executionTemplate.env': 'Environment',
  'spec.historyLimit': 'Executions kept',
  'spec.variables': 'Variables',
  'spec.varsFrom': 'Variables from ConfigMaps and Secrets',
  'spec.varFiles': 'Variable files',
  'spec.outputs.secretName': 'Outputs Secret',
  'spec.dependsOn': 'Dependencies',
  'spec.inputsFrom': 'Inputs from other stacks',
  'spec.source.pollInterval': 'Poll interval',
  'spec.source.webhookSecretRef': 'Webhook Secret',
  'spec.driftDetection.interval': 'Drift check interval',
  'spec.driftDetection.mode': 'When drift is found',
  'spec.notifications.webhookSecretRef': 'URL Secret',
  'spec.notifications.events': 'Notification events',
};
/** A row's label by its list: `spec.variables[0]` is "Variable 1". */
const ROW_LABELS: Record<string, string> = {
  'spec.variables': 'Variable',
  'spec.varsFrom': 'Source',
  'spec.inputsFrom': 'Input',
};

function labelOf(base: string, index: number | undefined): string {
  if (index !== undefined && ROW_LABELS[base]) return `${ROW_LABELS[base]} ${index + 1}`;
  return LABELS[base] ?? base;
}

/**
 * The summary of `errors`, ordered by `order` (the form's field paths, top to bottom; a row sorts
 * under its list's path, by index). Errors no field shows (path `''`) are left out: the form shows
 * them in its own alert. Unknown paths come last, in their given order.
 */
export function errorSummary(errors: FieldErrors, order: readonly string[]): SummaryEntry[] {
  const entries = Object.entries(errors)
    .filter(([path]) => path !== '')
    .map(([path, message], i) => {
      const m = /^(.*)\[(\d+)\]$/.exec(path);
      const base = m ? m[1]! : path;
      const index = m ? Number(m[2]) : undefined;
      const at = order.indexOf(base);
      return {
        entry: { path, target: anchorId(path), label: labelOf(base, index), message },
        key: [at < 0 ? order.length : at, index ?? -1, i],
      };
    });
  entries.sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]!);
  return entries.map((e) => e.entry);
}
