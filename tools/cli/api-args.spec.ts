import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SERVER, parseApiCommand, parsePlanTarget, type ApiCommand, type ApiCommandName } from './api-args.ts';
import { UsageError } from './cli-args.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const local = { server: DEFAULT_SERVER, serverGiven: false, namespace: 'default' };

describe('parseApiCommand', () => {
  const accepted: { name: string; command: ApiCommandName; args: string[]; env?: NodeJS.ProcessEnv; want: ApiCommand }[] = [
    {
      name: 'plan of a stack, defaults',
      command: 'plan',
      args: ['stack/web'],
      want: { command: 'plan', connection: local, target: { kind: 'stacks', name: 'web' }, wait: false, destroy: false },
    },
    {
      name: 'plan of a module by kubectl short name, -n, --wait',
      command: 'plan',
      args: ['tfm/net', '-n', 'team-a', '--wait'],
      want: {
        command: 'plan',
        connection: { ...local, namespace: 'team-a' },
        target: { kind: 'modules', name: 'net' },
        wait: true,
        destroy: false,
      },
    },
    {
      name: 'server and token from the environment',
      command: 'plan',
      args: ['TofuStacks/web', '--namespace=team-b'],
      env: { TOFU_OPERATOR_API_URL: 'https://tofu.example.com/', TOFU_OPERATOR_TOKEN: 't0k' },
      want: {
        command: 'plan',
        connection: { server: 'https://tofu.example.com', serverGiven: false, token: 't0k', namespace: 'team-b' },
        target: { kind: 'stacks', name: 'web' },
        wait: false,
        destroy: false,
      },
    },
    {
      name: 'a destroy plan',
      command: 'plan',
      args: ['stack/web', '--destroy'],
      want: { command: 'plan', connection: local, target: { kind: 'stacks', name: 'web' }, wait: false, destroy: true },
    },
    {
      name: '--server and --token win over the environment',
      command: 'approve',
      args: ['web-plan-1', '--digest', DIGEST, '--server', 'http://127.0.0.1:9000', '--token', 'mine', '--wait'],
      env: { TOFU_OPERATOR_API_URL: 'https://tofu.example.com', TOFU_OPERATOR_TOKEN: 'env' },
      want: {
        command: 'approve',
        connection: { server: 'http://127.0.0.1:9000', serverGiven: true, token: 'mine', namespace: 'default' },
        execution: 'web-plan-1',
        digest: DIGEST,
        wait: true,
      },
    },
    {
      name: 'reject',
      command: 'reject',
      args: ['-nteam-a', 'web-plan-1', `--digest=${DIGEST}`],
      want: { command: 'reject', connection: { ...local, namespace: 'team-a' }, execution: 'web-plan-1', digest: DIGEST },
    },
    {
      name: 'logs -f',
      command: 'logs',
      args: ['web-plan-1', '-f'],
      want: { command: 'logs', connection: local, execution: 'web-plan-1', follow: true },
    },
    {
      name: 'logs without follow',
      command: 'logs',
      args: ['web-plan-1'],
      want: { command: 'logs', connection: local, execution: 'web-plan-1', follow: false },
    },
  ];
  for (const c of accepted) {
    it(`accepts ${c.name}`, () => assert.deepEqual(parseApiCommand(c.command, c.args, c.env ?? {}), c.want));
  }

  const refused: { command: ApiCommandName; args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }[] = [
    { command: 'plan', args: [], message: /^plan: missing argument \(it takes <stack\|module>\/<name>\)$/ },
    { command: 'plan', args: ['web'], message: /^plan: name what to plan as stack\/<name> or module\/<name>, not "web"$/ },
    { command: 'plan', args: ['stack/'], message: /not "stack\/"/ },
    { command: 'plan', args: ['stack/a/b'], message: /not "stack\/a\/b"/ },
    { command: 'plan', args: ['stak/web'], message: /^plan: "stak" is neither stack nor module \(did you mean stack\?\)$/ },
    { command: 'plan', args: ['execution/web'], message: /"execution" is neither stack nor module$/ },
    {
      command: 'plan',
      args: ['stack/web', '--destory'],
      message: /unknown option --destory for plan \(did you mean --destroy\?\)/,
    },
    {
      command: 'plan',
      args: ['stack/web', '--destroy=yes'],
      message: /--destroy/,
    },
    { command: 'plan', args: ['stack/web', '--wiat'], message: /unknown option --wiat for plan \(did you mean --wait\?\)/ },
    { command: 'plan', args: ['stack/web', '-x'], message: /unknown option -x for plan/ },
    { command: 'plan', args: ['stack/web', 'extra'], message: /unexpected argument "extra"/ },
    {
      command: 'plan',
      args: ['stack/web', '--server', 'localhost:8080'],
      message: /^--server must be an http\(s\) URL, not "localhost:8080"$/,
    },
    {
      command: 'plan',
      args: ['stack/web'],
      env: { TOFU_OPERATOR_API_URL: 'ftp://x' },
      message: /^TOFU_OPERATOR_API_URL must be an http\(s\) URL/,
    },
    { command: 'plan', args: ['stack/web', '-n', ''], message: /^--namespace must not be empty$/ },
    { command: 'approve', args: ['p'], message: /^approve: --digest is required/ },
    {
      command: 'approve',
      args: ['p', '--digest', 'sha256:ABC'],
      message: /^approve: --digest must be "sha256:" and 64 lowercase hex digits, not "sha256:ABC"$/,
    },
    { command: 'approve', args: ['p', '--digest'], message: /^approve: .*--digest/ },
    { command: 'reject', args: ['p', '--digest', DIGEST, '--wait'], message: /unknown option --wait for reject/ },
    { command: 'logs', args: ['p', '--folow'], message: /did you mean --follow\?/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.command} ${JSON.stringify(c.args)}`, () => {
      assert.throws(
        () => parseApiCommand(c.command, c.args, c.env ?? {}),
        (err: unknown) => err instanceof UsageError && c.message.test(err.message),
      );
    });
  }
});

describe('parsePlanTarget', () => {
  const cases: [string, string][] = [
    ['stack/a', 'stacks/a'],
    ['stacks/a', 'stacks/a'],
    ['tfs/a', 'stacks/a'],
    ['Module/a', 'modules/a'],
    ['tofumodule/a', 'modules/a'],
  ];
  for (const [text, want] of cases) {
    it(`${text} -> ${want}`, () => {
      const t = parsePlanTarget(text);
      assert.equal(`${t.kind}/${t.name}`, want);
    });
  }
});
