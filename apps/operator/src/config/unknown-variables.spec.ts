import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigVariables, loadConfig, OPERATOR_VARIABLES } from './operator-config.js';
import { editDistance, nearestVariable, unknownVariables, unknownVariableWarnings } from './unknown-variables.js';

describe('editDistance', () => {
  const table: [string, string, number][] = [
    ['', '', 0],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['ROLE', 'ROEL', 2],
    ['LEASE_DURATION', 'LEASE_DURATION_MS', 3],
  ];
  for (const [a, b, d] of table) it(`${JSON.stringify(a)} -> ${JSON.stringify(b)} is ${d}`, () => assert.equal(editDistance(a, b), d));
});

describe('OPERATOR_VARIABLES', () => {
  it('is every TOFU_OPERATOR_* variable loadConfig reads, and only those', () => {
    assert.deepEqual(
      [...OPERATOR_VARIABLES].sort(),
      Object.values(ConfigVariables)
        .filter((v) => v.startsWith('TOFU_OPERATOR_'))
        .sort(),
    );
    // A setting read outside ConfigVariables would be missing here: every variable loadConfig looks
    // at must be one of ConfigVariables.
    const read = new Set<string>();
    const env: NodeJS.ProcessEnv = new Proxy(
      {},
      {
        get: (_t, name) => {
          if (typeof name === 'string') read.add(name);
          return undefined;
        },
      },
    );
    loadConfig(env);
    assert.deepEqual([...read].sort(), Object.values(ConfigVariables).sort());
  });
});

describe('unknownVariables', () => {
  const table: { what: string; env: Record<string, string>; unknown: [string, string][] }[] = [
    { what: 'no variables', env: {}, unknown: [] },
    { what: 'only known settings', env: Object.fromEntries(OPERATOR_VARIABLES.map((v) => [v, 'x'])), unknown: [] },
    { what: 'other variables', env: { PATH: '/bin', TOFU_BINARY: 'tofu', TOFU_OPERATORX: '1' }, unknown: [] },
    {
      what: 'variables of the dashboard and the tools',
      env: { TOFU_OPERATOR_API_URL: 'http://x', TOFU_OPERATOR_CACHE: '/c', TOFU_OPERATOR_CLUSTER_DIR: '/d' },
      unknown: [],
    },
    {
      what: 'service links of tofu-operator Services',
      env: {
        TOFU_OPERATOR_SERVICE_HOST: '10.0.0.1',
        TOFU_OPERATOR_SERVICE_PORT: '8080',
        TOFU_OPERATOR_SERVICE_PORT_HTTP: '8080',
        TOFU_OPERATOR_PORT: 'tcp://10.0.0.1:8080',
        TOFU_OPERATOR_PORT_8080_TCP: 'tcp://10.0.0.1:8080',
        TOFU_OPERATOR_PORT_8080_TCP_ADDR: '10.0.0.1',
        TOFU_OPERATOR_PORT_8080_TCP_PORT: '8080',
        TOFU_OPERATOR_PORT_8080_TCP_PROTO: 'tcp',
        TOFU_OPERATOR_DASHBOARD_SERVICE_HOST: '10.0.0.2',
        TOFU_OPERATOR_DASHBOARD_PORT_3000_TCP: 'tcp://10.0.0.2:3000',
      },
      unknown: [],
    },
    {
      what: 'the abbreviated lease variables',
      env: { TOFU_OPERATOR_LEASE_RENEW_DEADLINE_MS: '1', TOFU_OPERATOR_LEASE_RETRY_PERIOD_MS: '1' },
      unknown: [
        ['TOFU_OPERATOR_LEASE_RENEW_DEADLINE_MS', 'TOFU_OPERATOR_RENEW_DEADLINE_MS'],
        ['TOFU_OPERATOR_LEASE_RETRY_PERIOD_MS', 'TOFU_OPERATOR_RETRY_PERIOD_MS'],
      ],
    },
    {
      what: 'a missing unit',
      env: { TOFU_OPERATOR_LEASE_DURATION: '1' },
      unknown: [['TOFU_OPERATOR_LEASE_DURATION', 'TOFU_OPERATOR_LEASE_DURATION_MS']],
    },
    { what: 'a typo', env: { TOFU_OPERATOR_CONCURENCY: '4' }, unknown: [['TOFU_OPERATOR_CONCURENCY', 'TOFU_OPERATOR_CONCURRENCY']] },
    {
      what: 'a plural',
      env: { TOFU_OPERATOR_WATCH_NAMESPACES: 'a' },
      unknown: [['TOFU_OPERATOR_WATCH_NAMESPACES', 'TOFU_OPERATOR_WATCH_NAMESPACE']],
    },
    {
      what: 'a runner variable',
      env: { TOFU_OPERATOR_NO_COLOR: 'true' },
      unknown: [['TOFU_OPERATOR_NO_COLOR', 'TOFU_OPERATOR_RUNNER_NO_COLOR']],
    },
  ];
  for (const { what, env, unknown } of table) {
    it(`finds ${unknown.length || 'nothing'} in ${what}`, () =>
      assert.deepEqual(
        unknownVariables(env).map((u) => [u.name, u.nearest]),
        unknown,
      ));
  }

  it('warns naming the variable and the nearest setting', () => {
    assert.deepEqual(unknownVariableWarnings({ TOFU_OPERATOR_LEASE_DURATION: '1', TOFU_OPERATOR_ROLE: 'all' }), [
      'TOFU_OPERATOR_LEASE_DURATION is not a setting of the operator and is ignored; did you mean TOFU_OPERATOR_LEASE_DURATION_MS? (the settings are listed in docs/operations.md)',
    ]);
  });

  it('names some setting even for a name like none', () => assert.ok(OPERATOR_VARIABLES.includes(nearestVariable('TOFU_OPERATOR_Q'))));
});
