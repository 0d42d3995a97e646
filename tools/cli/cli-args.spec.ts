import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closest, parseCommandArgs, portOption, UsageError, type OptionSpec, type PositionalSpec } from './cli-args.ts';

const startOptions: OptionSpec = { port: { value: true }, 'dashboard-port': { value: true }, 'no-dashboard': { value: false } };
const none: PositionalSpec = { min: 0, max: 0, names: '' };
const dirAndName: PositionalSpec = { min: 1, max: 2, names: '<dir> [name]' };
const withShort: OptionSpec = { namespace: { value: true, short: 'n' }, follow: { value: false, short: 'f' } };

describe('parseCommandArgs', () => {
  const accepted: {
    args: string[];
    options?: OptionSpec;
    positionals?: PositionalSpec;
    want: { options: object; positionals: string[] };
  }[] = [
    { args: [], want: { options: {}, positionals: [] } },
    { args: ['--port', '9090'], want: { options: { port: '9090' }, positionals: [] } },
    { args: ['--port=9090', '--no-dashboard'], want: { options: { port: '9090', 'no-dashboard': true }, positionals: [] } },
    { args: ['--dashboard-port', '3001'], want: { options: { 'dashboard-port': '3001' }, positionals: [] } },
    {
      args: ['samples/modules', 'mine'],
      options: {},
      positionals: dirAndName,
      want: { options: {}, positionals: ['samples/modules', 'mine'] },
    },
    { args: ['--', '-odd-dir'], options: {}, positionals: dirAndName, want: { options: {}, positionals: ['-odd-dir'] } },
    { args: ['-n', 'team-a', '-f'], options: withShort, want: { options: { namespace: 'team-a', follow: true }, positionals: [] } },
    { args: ['-nteam-a', '--follow'], options: withShort, want: { options: { namespace: 'team-a', follow: true }, positionals: [] } },
  ];
  for (const c of accepted) {
    it(`accepts ${JSON.stringify(c.args)}`, () => {
      const parsed = parseCommandArgs('start', c.args, c.options ?? startOptions, c.positionals ?? none);
      assert.deepEqual({ ...parsed.options }, c.want.options);
      assert.deepEqual(parsed.positionals, c.want.positionals);
    });
  }

  const refused: { args: string[]; options?: OptionSpec; positionals?: PositionalSpec; message: RegExp }[] = [
    { args: ['--prot', '9090'], message: /^unknown option --prot for start \(did you mean --port\?\)$/ },
    { args: ['--no-dashbord'], message: /unknown option --no-dashbord for start \(did you mean --no-dashboard\?\)/ },
    { args: ['--dashboard-prot=1'], message: /unknown option --dashboard-prot for start \(did you mean --dashboard-port\?\)/ },
    { args: ['--verbose'], message: /unknown option --verbose for start; start accepts --port, --dashboard-port, --no-dashboard/ },
    { args: ['-p', '80'], message: /unknown option -p for start/ },
    { args: ['--port'], message: /^start: .*--port/ },
    { args: ['--port', '--no-dashboard'], message: /^start: .*--port/ },
    { args: ['--no-dashboard=yes'], message: /^start: .*--no-dashboard/ },
    { args: ['now'], message: /^start: unexpected argument "now" \(it takes no arguments\)$/ },
    { args: [], options: {}, positionals: dirAndName, message: /^start: missing argument \(it takes <dir> \[name\]\)$/ },
    { args: ['a', 'b', 'c'], options: {}, positionals: dirAndName, message: /unexpected argument "c"/ },
    { args: ['--force', 'dir'], options: {}, positionals: dirAndName, message: /unknown option --force for start; start takes no options/ },
    { args: ['-x'], options: withShort, message: /^unknown option -x for start; start accepts -n\/--namespace, -f\/--follow$/ },
    { args: ['-fx'], options: withShort, message: /^unknown option -fx for start/ },
    { args: ['-n'], options: withShort, message: /^start: .*-n/ },
  ];
  for (const c of refused) {
    it(`refuses ${JSON.stringify(c.args)}`, () => {
      assert.throws(
        () => parseCommandArgs('start', c.args, c.options ?? startOptions, c.positionals ?? none),
        (err: unknown) => err instanceof UsageError && c.message.test(err.message),
      );
    });
  }
});

describe('portOption', () => {
  const cases: { value: string | undefined; want: number | RegExp }[] = [
    { value: undefined, want: 8080 },
    { value: '1', want: 1 },
    { value: '65535', want: 65535 },
    { value: '0', want: /must be a port number/ },
    { value: '65536', want: /must be a port number/ },
    { value: '80a', want: /must be a port number \(1-65535\), not "80a"/ },
    { value: '', want: /must be a port number/ },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.value)} -> ${String(c.want)}`, () => {
      const parsed = { options: { port: c.value }, positionals: [] };
      if (typeof c.want === 'number') assert.equal(portOption(parsed, 'port', 8080), c.want);
      else assert.throws(() => portOption(parsed, 'port', 8080), c.want);
    });
  }
});

describe('closest', () => {
  const known = ['port', 'dashboard-port', 'no-dashboard', 'duration'];
  const cases: [string, string | undefined][] = [
    ['prot', 'port'],
    ['duraton', 'duration'],
    ['no-dash', undefined],
    ['verbose', undefined],
    ['dashboardport', 'dashboard-port'],
  ];
  for (const [name, want] of cases) it(`${name} -> ${String(want)}`, () => assert.equal(closest(name, known), want));
});
