// What the API commands tell the user and the shell: exit codes from HTTP statuses and execution
// phases, messages from the API's error body, and the result of a finished execution. Pure.
import type { ErrorBody } from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Connection } from './api-args.ts';

/** Exit codes of plan, approve, reject and logs (documented in their --help). */
export const ExitCode = {
  /** Done; with --wait or --follow: the run Succeeded. */
  Ok: 0,
  /** With --wait or --follow: the run Failed. */
  RunFailed: 1,
  /** A wrong command line. */
  Usage: 2,
  /** 401 (no token, or one the cluster rejects) or 403 (RBAC denies it). */
  Refused: 3,
  /** 404: no such module, stack or execution (or no log yet). */
  NotFound: 4,
  /** 409: a run is in progress, or the plan cannot be decided now (not the newest, decided already, ...). */
  Conflict: 5,
  /** 422: the digest is not the plan's (or another invalid request). */
  Invalid: 6,
  /** plan answered 202: no controller created the execution within the operator's wait; the request stands. */
  NotStarted: 7,
  /** The API could not be reached, or answered something else (5xx, a body that is not ours). */
  Unavailable: 8,
} as const;

/** The help text's table of exit codes. */
export const EXIT_CODES_HELP = `exit codes:
  0  done (with --wait/--follow: the run Succeeded)
  1  with --wait/--follow: the run Failed
  2  usage error
  3  refused: no or invalid token (401), or RBAC denies it (403)
  4  not found (404)
  5  conflict (409): a run is in progress, or the plan cannot be decided now
  6  invalid (422): the digest is not the plan's
  7  plan only: no execution was created within the operator's wait (202; the request stands)
  8  the API could not be reached or failed (5xx, unexpected answer)`;

/** An API command that ends with a message and an exit code other than a usage error's. */
export class ApiCommandError extends Error {
  override readonly name = 'ApiCommandError';
  /** The process's exit code (ExitCode). */
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** The exit code of an HTTP error status. */
export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return ExitCode.Refused;
  if (status === 404) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  if (status === 422) return ExitCode.Invalid;
  return ExitCode.Unavailable;
}

/** The exit code of a finished execution's phase (undefined while it has not finished). */
export function exitCodeForPhase(phase: string | undefined): number | undefined {
  if (phase === 'Succeeded') return ExitCode.Ok;
  if (phase === 'Failed') return ExitCode.RunFailed;
  return undefined;
}

/** Whether a value is the API's ErrorBody. */
export function isErrorBody(v: unknown): v is ErrorBody {
  const b = v as Partial<ErrorBody> | null;
  return (
    typeof b === 'object' && b !== null && typeof b.status === 'number' && typeof b.reason === 'string' && typeof b.message === 'string'
  );
}

/** A command line for the user to run next: `tofu-operator <args> -n <ns>` (and --server when one was given). */
export function suggest(connection: Connection, args: string): string {
  return `tofu-operator ${args} -n ${connection.namespace}${connection.serverGiven ? ` --server ${connection.server}` : ''}`;
}

/**
 * The message of an error answer: what was refused, the API's own words, and what to do. `what` names
 * the request (`approve plan-x`); `body` is the answer's ErrorBody when it had one.
 */
export function errorMessage(what: string, status: number, body: ErrorBody | undefined, connection: Connection): string {
  const head = `${what}: ${status} ${body?.reason ?? 'error'}: ${body?.message ?? '(no error body)'}`;
  const hints: string[] = [];
  if (status === 401) {
    hints.push(
      connection.token
        ? 'the cluster did not accept the token: get a new one (tofu-operator token, or kubectl create token)'
        : 'no token: set TOFU_OPERATOR_TOKEN (or pass --token); tofu-operator token prints one',
    );
  }
  if (status === 403) hints.push(`your token's user may not do this in namespace ${connection.namespace} (see docs/guides/user-access.md)`);
  if (body?.running)
    hints.push(
      `follow the run in progress: ${suggest({ ...connection, namespace: body.running.namespace }, `logs ${body.running.name} --follow`)}`,
    );
  if (status === 422 && body?.fields?.some((f) => f.path === 'planDigest')) {
    hints.push('the digest must be the one of the plan you reviewed: read the plan again (status.plan.digest)');
  }
  return [head, ...hints.map((h) => `  ${h}`)].join('\n');
}

/** The lines that sum up an execution: its phase, what the plan would do or the apply did, why it failed. */
export function resultLines(x: TofuExecution): string[] {
  const s = x.status ?? {};
  const lines = [
    `execution: ${x.metadata.name ?? ''}`,
    `action: ${x.spec.action}${x.spec.destroy ? ' (destroy)' : ''}`,
    `phase: ${s.phase ?? 'Pending'}`,
  ];
  if (s.summary?.text) lines.push(`summary: ${s.summary.text}`);
  if (s.apply?.text) lines.push(`result: ${s.apply.text}`);
  if (s.plan?.digest) lines.push(`digest: ${s.plan.digest}`);
  if (s.plan?.commit) lines.push(`commit: ${s.plan.commit}`);
  if (x.spec.planRef) lines.push(`plan: ${x.spec.planRef.name} (${x.spec.planRef.digest ?? ''})`);
  if (s.phase === 'Failed') {
    if (s.failureCategory) lines.push(`failure: ${s.failureCategory}`);
    if (s.message) lines.push(`message: ${s.message}`);
  }
  if (s.approval)
    lines.push(
      `approval: ${s.approval.state}${s.approval.by ? ` by ${s.approval.by}` : ''}${s.approval.message ? ` (${s.approval.message})` : ''}`,
    );
  return lines;
}

/**
 * What to do next after a finished plan: approve or reject a plan that waits (changes, no decision yet),
 * nothing for one without changes or already decided (autoApply approves by itself).
 */
export function nextStepLines(x: TofuExecution, connection: Connection): string[] {
  const s = x.status;
  if (x.spec.action !== 'plan' || s?.phase !== 'Succeeded' || !s.plan?.hasChanges || s.approval || !s.plan.digest) return [];
  const name = x.metadata.name ?? '';
  return [
    'The plan waits for approval. Approve it (and follow the apply) with:',
    `  ${suggest(connection, `approve ${name} --digest ${s.plan.digest} --wait`)}`,
    'or reject it with:',
    `  ${suggest(connection, `reject ${name} --digest ${s.plan.digest}`)}`,
  ];
}
