import type { ApplySummary } from '@tofu-operator/api-types';
import { stripAnsi } from './tofu.js';

/** tofu's last line of a successful apply: "Apply complete! Resources: …." or "Destroy complete! Resources: …." */
const COMPLETE = /^(?:Apply|Destroy) complete! Resources: ([^\n]*?)\.?\s*$/;
const COUNT = /(\d+) (imported|added|changed|destroyed|forgotten)/g;

/**
 * What an apply changed, from tofu's output ("Apply complete! Resources: 1 added, 0 changed, 0
 * destroyed.", with "imported" and "forgotten" when there are any); undefined when the output has no
 * such line. Pure.
 */
export function summarizeApplyOutput(stdout: string): ApplySummary | undefined {
  const lines = stripAnsi(stdout).split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    const match = COMPLETE.exec(line);
    if (!match?.[1]) continue;
    const counts: Record<string, number> = {};
    for (const [, n, word] of match[1].matchAll(COUNT)) if (word) counts[word] = Number(n);
    return { add: counts['added'] ?? 0, change: counts['changed'] ?? 0, destroy: counts['destroyed'] ?? 0, text: line };
  }
  return undefined;
}
