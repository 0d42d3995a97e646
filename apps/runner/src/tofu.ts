import { FailureCategory, type FailureCategoryName } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { describeExit, runCommand, type LineSink, type RunResult } from './process.js';
import type { Redactor } from './redact.js';

/** ANSI escape sequences (SGR colours and other CSI, OSC). */
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The longest message taken from tofu's output before the result trims it further. */
const MAX_MESSAGE = 16 * 1024;

/** One diagnostic box of tofu's output: its severity and its lines, the "Error:"/"Warning:" line first. */
export interface DiagnosticBlock {
  severity: 'Error' | 'Warning';
  lines: string[];
}

/**
 * The diagnostics in tofu's output (coloured with the ╷│╵ frame, or plain with -no-color), without
 * ANSI codes and frames, trailing empty lines dropped. The one reader of tofu's diagnostic boxes:
 * failure messages and the variable errors both build on it. Pure.
 */
export function tofuDiagnosticBlocks(output: string): DiagnosticBlock[] {
  const blocks: DiagnosticBlock[] = [];
  let current: DiagnosticBlock | undefined;
  const close = (): void => {
    if (current) {
      const { lines } = current;
      while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
      blocks.push(current);
    }
    current = undefined;
  };
  for (const raw of stripAnsi(output).split(/\r?\n/)) {
    if (/^\s*[╷╵]\s*$/.test(raw)) {
      close();
      continue;
    }
    const line = raw.replace(/^│ ?/, '').trimEnd();
    const head = /^(Error|Warning): /.exec(line);
    if (head) {
      close();
      current = { severity: head[1] as DiagnosticBlock['severity'], lines: [line] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  close();
  return blocks;
}

/** The "Error: ..." diagnostics in tofu's output, each as its text (warnings left out). Pure. */
export function tofuErrorBlocks(output: string): string[] {
  return tofuDiagnosticBlocks(output)
    .filter((b) => b.severity === 'Error')
    .map((b) => b.lines.join('\n'));
}

/** The failure message of a tofu command: its error diagnostics, else the last lines it printed. Pure. */
export function tofuFailureMessage(command: string, result: Pick<RunResult, 'code' | 'signal' | 'stdout' | 'stderr'>): string {
  const head = `${command} failed (${describeExit(result)})`;
  let detail = tofuErrorBlocks(result.stderr).concat(tofuErrorBlocks(result.stdout)).join('\n\n');
  if (!detail) {
    const source = stripAnsi(result.stderr).trim() ? result.stderr : result.stdout;
    detail = stripAnsi(source)
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .filter((l) => l.trim() !== '')
      .slice(-20)
      .join('\n');
  }
  const message = detail ? `${head}:\n${detail}` : head;
  return message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message;
}

export interface TofuOptions {
  /** The tofu program: a path or a name on PATH. */
  binary: string;
  /** The root module directory. */
  cwd: string;
  /** Environment of the run (TF_IN_AUTOMATION and TF_INPUT are added). */
  env: NodeJS.ProcessEnv;
  noColor: boolean;
  redact: Redactor;
  stdout: LineSink;
  stderr: LineSink;
  signal?: AbortSignal;
}

export function tofuEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
}

async function tofu(opts: TofuOptions, args: string[], stream: boolean): Promise<RunResult> {
  try {
    return await runCommand(opts.binary, args, {
      cwd: opts.cwd,
      env: tofuEnv(opts.env),
      signal: opts.signal,
      onStdout: stream ? (line) => opts.stdout(opts.redact(line)) : undefined,
      onStderr: (line) => opts.stderr(opts.redact(line)),
      stdoutLimit: stream ? 256 * 1024 : Infinity,
      stderrLimit: 256 * 1024,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      throw new RunnerError(FailureCategory.Internal, `cannot run the tofu binary "${opts.binary}": ${(err as Error).message}`);
    }
    throw err;
  }
}

/**
 * The category of a failed tofu command: a held state lock and a stale saved plan are their own,
 * whatever the command; anything else is the command's own category. Pure.
 */
export function classifyTofuFailure(output: string, fallback: FailureCategoryName): FailureCategoryName {
  const text = stripAnsi(output);
  if (/Error: Saved plan is stale|Error: Saved plan does not match the given state/.test(text)) return FailureCategory.PlanStale;
  if (/Error: Error acquiring the state lock/.test(text)) return FailureCategory.StateLocked;
  return fallback;
}

/** Turns a failed command's output (stderr, then stdout) into a more precise failure, if it can. */
export type ExplainFailure = (output: string) => RunnerError | undefined;

async function step(opts: TofuOptions, args: string[], category: FailureCategoryName, explain?: ExplainFailure): Promise<RunResult> {
  const result = await tofu(opts, opts.noColor ? [...args, '-no-color'] : args, true);
  if (result.code !== 0) {
    const special = explain?.(`${result.stderr}\n${result.stdout}`);
    if (special) throw new RunnerError(special.category, opts.redact(special.message), { cause: special });
    const kind = classifyTofuFailure(`${result.stderr}\n${result.stdout}`, category);
    throw new RunnerError(kind, opts.redact(tofuFailureMessage(`tofu ${args[0]}`, result)));
  }
  return result;
}

/** `tofu init -input=false`, streamed. Throws InitFailed (StateLocked). */
export async function tofuInit(opts: TofuOptions): Promise<void> {
  await step(opts, ['init', '-input=false'], FailureCategory.InitFailed);
}

/** The variables of a plan: tofu arguments (-var-file=...), and how to explain a failure about them. */
export interface PlanVariables {
  args?: string[];
  explain?: ExplainFailure;
}

/**
 * `tofu plan -input=false -out=<planFile>` (with `-destroy` for a destroy plan, and the variable
 * files), streamed. Answers what it printed (the tail of stderr, then of stdout: its warnings).
 * Throws PlanFailed (StateLocked, or what `vars.explain` makes of the output).
 */
export async function tofuPlan(opts: TofuOptions, planFile: string, destroy = false, vars: PlanVariables = {}): Promise<string> {
  const args = ['plan', '-input=false', `-out=${planFile}`, ...(destroy ? ['-destroy'] : []), ...(vars.args ?? [])];
  const result = await step(opts, args, FailureCategory.PlanFailed, vars.explain);
  return `${result.stderr}\n${result.stdout}`;
}

/**
 * `tofu apply -input=false <planFile>`: the saved plan and nothing else (a saved plan is applied
 * without a prompt). Streamed; answers what it printed (the tail). Throws ApplyFailed, PlanStale or
 * StateLocked.
 */
export async function tofuApply(opts: TofuOptions, planFile: string): Promise<string> {
  const result = await step(opts, ['apply', '-input=false', planFile], FailureCategory.ApplyFailed);
  return result.stdout;
}

/**
 * `tofu output -json`: every output of the state (sensitive values included) as JSON text. Not
 * streamed: its stdout never reaches the log. Throws OutputsNotStored.
 */
export async function tofuOutputJson(opts: TofuOptions): Promise<string> {
  const result = await tofu(opts, ['output', '-json', '-no-color'], false);
  if (result.code !== 0) {
    // Only stderr: stdout may hold output values.
    const message = tofuFailureMessage('tofu output -json', { ...result, stdout: '' });
    throw new RunnerError(FailureCategory.OutputsNotStored, opts.redact(message));
  }
  return result.stdout;
}

/** `tofu show -json <planFile>`: the plan as JSON text (not streamed). */
export async function tofuShowJson(opts: TofuOptions, planFile: string): Promise<string> {
  const result = await tofu(opts, ['show', '-json', '-no-color', planFile], false);
  if (result.code !== 0) throw new RunnerError(FailureCategory.Internal, opts.redact(tofuFailureMessage('tofu show -json', result)));
  return result.stdout;
}
