// The command lines of the commands that call the operator's REST API (plan, approve, reject, logs),
// parsed into typed commands. Pure: the environment comes in as an argument.
import type { PlannableKind } from '@tofu-operator/api-contracts';
import { closest, parseCommandArgs, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './cli-args.ts';

/** The API's URL when neither --server nor TOFU_OPERATOR_API_URL says otherwise (what `start` serves). */
export const DEFAULT_SERVER = 'http://localhost:8080';

/** A plan digest as the API accepts it (the same rule as the approve route's). */
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Where and as whom the command calls the API. */
export interface Connection {
  /** The API's origin, without a trailing slash. */
  server: string;
  /** Whether --server named it (then the commands it suggests name it too). */
  serverGiven: boolean;
  /** The bearer token; absent: none is sent (only an operator with auth off accepts that). Never printed. */
  token?: string;
  namespace: string;
}

/** What `plan` plans: a module or a stack. */
export interface PlanTarget {
  kind: PlannableKind;
  name: string;
}

/** A parsed API command. */
export type ApiCommand =
  | { command: 'plan'; connection: Connection; target: PlanTarget; wait: boolean; destroy: boolean }
  | { command: 'approve'; connection: Connection; execution: string; digest: string; wait: boolean }
  | { command: 'reject'; connection: Connection; execution: string; digest: string }
  | { command: 'logs'; connection: Connection; execution: string; follow: boolean };

/** The names of the API commands. */
export type ApiCommandName = ApiCommand['command'];

const CONNECTION_OPTIONS: OptionSpec = {
  server: { value: true },
  token: { value: true },
  namespace: { value: true, short: 'n' },
};

/** The options of each API command. */
export const API_OPTIONS: Record<ApiCommandName, OptionSpec> = {
  plan: { ...CONNECTION_OPTIONS, wait: { value: false }, destroy: { value: false } },
  approve: { ...CONNECTION_OPTIONS, digest: { value: true }, wait: { value: false } },
  reject: { ...CONNECTION_OPTIONS, digest: { value: true } },
  logs: { ...CONNECTION_OPTIONS, follow: { value: false, short: 'f' } },
};

/** The words for a module or a stack in `plan <kind>/<name>`: kubectl's names of the two kinds. */
const KIND_WORDS: Record<string, PlannableKind> = {
  stack: 'stacks',
  stacks: 'stacks',
  tofustack: 'stacks',
  tofustacks: 'stacks',
  tfs: 'stacks',
  module: 'modules',
  modules: 'modules',
  tofumodule: 'modules',
  tofumodules: 'modules',
  tfm: 'modules',
};

/** `stack/<name>` or `module/<name>` (kubectl's kind words accepted too) as a plan target. */
export function parsePlanTarget(text: string): PlanTarget {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || text.indexOf('/', slash + 1) !== -1) {
    throw new UsageError(`plan: name what to plan as stack/<name> or module/<name>, not "${text}"`);
  }
  const word = text.slice(0, slash).toLowerCase();
  const kind = KIND_WORDS[word];
  if (!kind) {
    const guess = closest(word, ['stack', 'module']);
    throw new UsageError(`plan: "${text.slice(0, slash)}" is neither stack nor module${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  return { kind, name: text.slice(slash + 1) };
}

function connectionOf(parsed: ParsedArgs, env: NodeJS.ProcessEnv): Connection {
  const given = parsed.options['server'];
  const raw = typeof given === 'string' ? given : env['TOFU_OPERATOR_API_URL'] || DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new UsageError(`${typeof given === 'string' ? '--server' : 'TOFU_OPERATOR_API_URL'} must be an http(s) URL, not "${raw}"`, {
      cause: err,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${typeof given === 'string' ? '--server' : 'TOFU_OPERATOR_API_URL'} must be an http(s) URL, not "${raw}"`);
  }
  const token = stringOption(parsed, 'token', env['TOFU_OPERATOR_TOKEN'] ?? '');
  const namespace = stringOption(parsed, 'namespace', 'default');
  if (!namespace) throw new UsageError('--namespace must not be empty');
  return {
    server: raw.replace(/\/+$/, ''),
    serverGiven: typeof given === 'string',
    ...(token ? { token } : {}),
    namespace,
  };
}

function digestOf(command: string, parsed: ParsedArgs): string {
  const digest = parsed.options['digest'];
  if (typeof digest !== 'string') throw new UsageError(`${command}: --digest is required: the plan's digest as reviewed (sha256:…)`);
  if (!DIGEST.test(digest)) throw new UsageError(`${command}: --digest must be "sha256:" and 64 lowercase hex digits, not "${digest}"`);
  return digest;
}

/** Parses the arguments of an API command strictly (unknown options, missing values, stray arguments are usage errors). */
export function parseApiCommand(command: ApiCommandName, args: readonly string[], env: NodeJS.ProcessEnv): ApiCommand {
  const names = command === 'plan' ? '<stack|module>/<name>' : '<execution>';
  const parsed = parseCommandArgs(command, args, API_OPTIONS[command], { min: 1, max: 1, names });
  const connection = connectionOf(parsed, env);
  const [arg = ''] = parsed.positionals;
  const flag = (name: string) => parsed.options[name] === true;
  switch (command) {
    case 'plan':
      return { command, connection, target: parsePlanTarget(arg), wait: flag('wait'), destroy: flag('destroy') };
    case 'approve':
      return { command, connection, execution: arg, digest: digestOf(command, parsed), wait: flag('wait') };
    case 'reject':
      return { command, connection, execution: arg, digest: digestOf(command, parsed) };
    case 'logs':
      return { command, connection, execution: arg, follow: flag('follow') };
  }
}
