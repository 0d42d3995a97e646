/**
 * What a run page says about where a run came from: the commit (with a link to the repository's web
 * page for it), the trigger that made it, and the runner's steps read from its `==>` marker lines,
 * with their durations from the times on those markers.
 * Pure, so it is unit-tested without a browser.
 */
import { Annotations, type TofuExecution } from '@tofu-operator/api-types';
import { duration } from './format.ts';

/** A full or abbreviated git object name. */
const SHA = /^[0-9a-f]{7,64}$/i;

/** The first 7 characters of a commit SHA, as git shows it; other revisions unchanged. */
export function shortSha(sha: string): string {
  return SHA.test(sha) ? sha.slice(0, 7) : sha;
}

/**
 * The web page of `sha` in `repository`, for https URLs of the forges whose commit page is
 * `<repo>/commit/<sha>` (GitHub, GitLab, Gitea and Codeberg); undefined for anything else (ssh,
 * plain http, file://, other hosts, a revision that is not a SHA). Credentials in the URL are dropped.
 */
export function commitUrl(repository: string | undefined, sha: string | undefined): string | undefined {
  if (!repository || !sha || !SHA.test(sha)) return undefined;
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const host = url.hostname.toLowerCase();
  const forge = host === 'github.com' || host === 'codeberg.org' || /(^|\.)(gitlab|gitea)\./.test(host) || host === 'gitlab.com';
  if (!forge) return undefined;
  const path = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (path.split('/').filter(Boolean).length < 2) return undefined;
  // GitLab serves the commit under /-/commit/, and redirects /commit/ there.
  return `https://${url.host}${path}/commit/${sha.toLowerCase()}`;
}

/** A repository URL for display: any user or password in it is replaced by `***`. */
export function displayRepository(repository: string): string {
  return repository.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/** The commit a run checked out: the plan's record, the runner's report (also of a failed run), an apply's pinned revision, or the runner's log line. */
export function runCommit(e: Pick<TofuExecution, 'spec' | 'status'>, lines: readonly string[]): string | undefined {
  if (e.status?.plan?.commit) return e.status.plan.commit;
  if (e.status?.commit) return e.status.commit;
  const pinned = e.spec.planRef ? e.spec.source?.revision : undefined;
  if (pinned && SHA.test(pinned)) return pinned;
  for (const line of lines) {
    const m = /^==> checked out ([0-9a-f]{7,64})\s*$/i.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Why a run exists, for display. */
export interface RunTrigger {
  /** What started it, e.g. "Spec change" or "Re-plan request". */
  label: string;
  /** Details: generation, request time, approver. */
  detail?: string;
  /** The raw tofu-operator.io/trigger annotation, when there is one. */
  raw?: string;
}

/** The parts of a plan trigger `g<gen>[/m<gen>][/r<at>][/i<hash>]` (docs/adr/0002). */
interface TriggerParts {
  g?: string;
  m?: string;
  r?: string;
  i?: string;
}

function partsOf(trigger: string): TriggerParts {
  const parts: TriggerParts = {};
  for (const part of trigger.split('/')) {
    const key = part[0] as keyof TriggerParts;
    if (key === 'g' || key === 'm' || key === 'r' || key === 'i') parts[key] = part.slice(1);
  }
  return parts;
}

/**
 * What made the operator create `e`: an apply carries out an approved plan (and names the approver
 * when the API recorded one); a plan's trigger annotation says which request or change made it. The
 * part that differs from the trigger of the owner's previous plan (`previous`) is the cause; without
 * one, generation 1 is the owner's creation and a later generation a spec change. Hand-made runs have
 * no trigger.
 */
export function runTrigger(e: Pick<TofuExecution, 'metadata' | 'spec'>, previous?: string): RunTrigger {
  const annotations = e.metadata.annotations ?? {};
  if (e.spec.planRef) {
    const by = annotations[Annotations.approvedBy];
    const what = e.spec.action === 'destroy' ? 'Destroy of approved plan' : 'Apply of approved plan';
    return { label: what, detail: by ? `approved by ${by}` : 'approved automatically (autoApply)' };
  }
  const raw = annotations[Annotations.trigger];
  if (!raw) return { label: 'Created by hand', detail: 'not made by a module or stack trigger' };
  if (raw.startsWith('destroy/d')) return { label: 'Destroy request', detail: `requested at ${raw.slice('destroy/d'.length)}`, raw };
  if (raw === 'destroy') return { label: 'Deletion', detail: 'the owner was deleted: its resources are destroyed', raw };
  if (raw.startsWith('destroy/r'))
    return { label: 'Deletion', detail: `the owner was deleted; re-planned at ${raw.slice('destroy/r'.length)}`, raw };
  const now = partsOf(raw);
  const before = previous && !previous.startsWith('destroy') ? partsOf(previous) : undefined;
  const generation = `generation ${now.g ?? '?'}`;
  if (before) {
    if (now.r !== before.r && now.r) return { label: 'Re-plan request', detail: `requested at ${now.r}`, raw };
    if (now.g !== before.g) return { label: 'Spec change', detail: generation, raw };
    if (now.m !== before.m) return { label: 'Module change', detail: `module generation ${now.m ?? '?'}`, raw };
    if (now.i !== before.i) return { label: 'Inputs change', detail: 'a variable source changed', raw };
  }
  if (now.r) return { label: 'Re-plan request', detail: `requested at ${now.r}`, raw };
  if (now.g === '1') return { label: 'Created', detail: generation, raw };
  return { label: 'Spec change', detail: generation, raw };
}

/** One step of a run, as the runner announced it. */
export interface RunStep {
  name: 'clone' | 'init' | 'plan' | 'apply' | 'outputs';
  /** The marker line that began it (without its time). */
  line: string;
  state: 'done' | 'running' | 'failed';
  /** When it began (ms since the epoch): the time on its marker, when the runner wrote one. */
  startedAt?: number;
  /** When it ended: the next step's start, or the run's completion for the last one. */
  endedAt?: number;
}

/** The time a runner puts at the end of a step marker: `==> tofu init @ 2026-11-30T15:10:26.123Z`. */
const MARKER_TIME = / @ (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/;

const MARKERS: readonly [RunStep['name'], RegExp][] = [
  ['clone', /^==> (cloning |fetching plan )/],
  ['init', /^==> tofu init\b/],
  ['plan', /^==> tofu plan\b/],
  ['apply', /^==> tofu apply\b/],
  ['outputs', /^==> tofu output\b/],
];

/**
 * The steps the runner began, in order, from its `==>` marker lines, timed by the time at the end of
 * each marker (a runner before those times gives steps without). A step ends where the next begins;
 * the last one at the run's `completionTime`. The last step is running while the run is, failed when
 * it failed; every earlier step is done.
 */
export function runSteps(lines: readonly string[], phase: string | undefined, completionTime?: string): RunStep[] {
  const steps: RunStep[] = [];
  for (const line of lines) {
    const hit = MARKERS.find(([, re]) => re.test(line));
    if (!hit || steps.some((s) => s.name === hit[0])) continue;
    const time = MARKER_TIME.exec(line);
    const step: RunStep = { name: hit[0], line: (time ? line.slice(0, time.index) : line).slice(4), state: 'done' };
    const at = time ? Date.parse(time[1]!) : NaN;
    if (Number.isFinite(at)) step.startedAt = at;
    steps.push(step);
  }
  steps.forEach((step, i) => {
    const next = steps[i + 1];
    const end = next ? next.startedAt : phase === 'Succeeded' || phase === 'Failed' ? Date.parse(completionTime ?? '') : undefined;
    if (step.startedAt !== undefined && end !== undefined && Number.isFinite(end)) step.endedAt = end;
  });
  const last = steps.at(-1);
  if (last && phase === 'Failed') last.state = 'failed';
  else if (last && phase !== 'Succeeded') last.state = 'running';
  return steps;
}

/** How long a step took ("12s"), or "running for 5s" for the one in progress; undefined without times. */
export function stepDuration(step: RunStep, now: number): string | undefined {
  if (step.startedAt === undefined) return undefined;
  if (step.endedAt !== undefined) return duration(step.endedAt - step.startedAt);
  if (step.state === 'running') return `running for ${duration(Math.max(0, now - step.startedAt))}`;
  return undefined;
}

/** The trigger of the plan of the same owner created just before `e` (by created-at), if any. */
export function previousTrigger(e: TofuExecution, siblings: readonly TofuExecution[]): string | undefined {
  const at = (x: TofuExecution) => Date.parse(x.metadata.annotations?.[Annotations.createdAt] ?? x.metadata.creationTimestamp ?? '') || 0;
  const mine = at(e);
  let best: TofuExecution | undefined;
  for (const s of siblings) {
    const trigger = s.metadata.annotations?.[Annotations.trigger];
    if (!trigger || s.metadata.name === e.metadata.name || at(s) >= mine) continue;
    if (
      (s.spec.stackRef?.name ?? '') !== (e.spec.stackRef?.name ?? '') ||
      (s.spec.moduleRef?.name ?? '') !== (e.spec.moduleRef?.name ?? '')
    )
      continue;
    if (!best || at(s) > at(best)) best = s;
  }
  return best?.metadata.annotations?.[Annotations.trigger];
}
