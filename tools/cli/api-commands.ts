// The entries of plan, approve, reject and logs in the command table: summary, usage and help. The
// commands themselves (api.command.ts) load only when one runs, so the rest of the command line works
// in a checkout whose libraries are not built yet (start builds them).
import { DEFAULT_SERVER, type ApiCommandName } from './api-args.ts';
import type * as ApiCommandModule from './api.command.ts';
import { EXIT_CODES_HELP } from './api-result.ts';

/** One command of the table in tofu-operator.ts. */
export interface ApiCommandEntry {
  summary: string;
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

/** A module that the built libraries provide is missing. */
export class NotBuiltError extends Error {
  override readonly name = 'NotBuiltError';
}

const CONNECTION_HELP = `connection (every API command):
  --server <url>        the operator's API (default: TOFU_OPERATOR_API_URL, else ${DEFAULT_SERVER})
  --token <token>       the bearer token (default: TOFU_OPERATOR_TOKEN; prefer the variable, a
                        command line is visible to other users of the machine); any token the
                        cluster accepts: \`tofu-operator token\`, \`kubectl create token <sa>\`, OIDC.
                        Never printed.
  -n, --namespace <ns>  the namespace (default: default)`;

/** What api.command.ts exports (its module type, without loading it). */
type ApiModule = typeof ApiCommandModule;

async function run(name: ApiCommandName, args: string[]): Promise<number> {
  let mod: ApiModule;
  try {
    mod = await import('./api.command.ts');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes('@tofu-operator/')) {
      throw new NotBuiltError(
        'the libraries are not built: run `npx nx run-many -t build -p api-contracts,api-types` first (npm start builds them)',
        {
          cause: err,
        },
      );
    }
    throw err;
  }
  return mod.runApiCommand(name, args);
}

function entry(name: ApiCommandName, summary: string, usage: string, help: string): ApiCommandEntry {
  return { summary, usage, help: `${help}\n\n${CONNECTION_HELP}\n\n${EXIT_CODES_HELP}`, run: (args) => run(name, args) };
}

/** plan, approve, reject and logs. */
export const apiCommands: Record<ApiCommandName, ApiCommandEntry> = {
  plan: entry(
    'plan',
    'plan a stack or module now through the API (--wait: follow it, print digest and result)',
    'tofu-operator plan <stack|module>/<name> [-n <ns>] [--wait] [--destroy]',
    `Starts a plan of the stack or module (POST …/plan; needs patch on it) and prints the new
execution's name. With --wait, prints its log until the run ends, then the result (phase, the
plan's summary, digest and commit) and, when the plan has changes and waits for approval, the
approve and reject command lines with its digest; exits 0 when the plan Succeeded, 1 when it
Failed. A run of the same stack or module in progress is a conflict (5) naming it. With --destroy,
the plan destroys everything the stack or module manages; approving it runs the destroy.`,
  ),
  approve: entry(
    'approve',
    'approve a plan by its digest (--wait: follow the apply to its end)',
    'tofu-operator approve <plan-execution> --digest sha256:<hex> [-n <ns>] [--wait]',
    `Approves the plan execution, naming the digest of the plan you reviewed (status.plan.digest, as
plan --wait prints it; needs the verb approve on tofuexecutions), and prints the name of the apply
execution that carries out exactly that saved plan. With --wait, prints the apply's log until it
ends and its result; exits 0 when it Succeeded, 1 when it Failed. Refused: 6 when the digest is not
the plan's (someone planned again: review the new plan), 5 when the plan is not its owner's newest,
has no changes, was decided already or a run is in progress, 3 without the approve verb.`,
  ),
  reject: entry(
    'reject',
    'reject a plan by its digest: it is never applied',
    'tofu-operator reject <plan-execution> --digest sha256:<hex> [-n <ns>]',
    `Records the plan as Rejected (status.approval; needs the verb approve on tofuexecutions): it is never
applied, and a later approval is refused. The same refusals as approve.`,
  ),
  logs: entry(
    'logs',
    "print an execution's log (--follow: until the run ends, exit code from its result)",
    'tofu-operator logs <execution> [-n <ns>] [-f|--follow]',
    `Prints the runner's log of the execution (needs get on tofuexecutions), also after its pod is gone.
With --follow, prints it as it is written until the run ends (resuming where it was when the
stream breaks off) and exits 0 when the run Succeeded, 1 when it Failed.`,
  ),
};
