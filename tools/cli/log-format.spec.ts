import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, localClock, topLevelKeys } from './log-format.ts';

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const t = Date.UTC(2026, 0, 2, 3, 4, 5, 67);

describe('formatLogLine', () => {
  const cases: { name: string; line: string; want: string; colour?: boolean }[] = [
    {
      name: 'a reconcile line: the object from the child bindings, not the logger name',
      line: `{"level":30,"time":${t},"pid":1,"hostname":"h","name":"tofu-operator","kind":"TofuStack","namespace":"default","name":"hello-dev","reconcileId":"r1","msg":"reconciled"}`,
      want: '03:04:05.067 INFO  reconciled kind=TofuStack namespace=default name=hello-dev',
    },
    {
      name: 'no object: the logger name is not an object name',
      line: `{"level":30,"time":${t},"name":"tofu-operator","msg":"listening","port":8080}`,
      want: '03:04:05.067 INFO  listening',
    },
    {
      name: 'a kind without an object: still not the logger name',
      line: `{"level":30,"time":${t},"pid":1,"name":"tofu-operator","kind":"TofuExecution","concurrency":4,"msg":"controller started"}`,
      want: '03:04:05.067 INFO  controller started kind=TofuExecution',
    },
    {
      name: 'no logger name: the name is the object',
      line: `{"level":30,"time":${t},"kind":"TofuModule","namespace":"default","name":"hello","msg":"planned"}`,
      want: '03:04:05.067 INFO  planned kind=TofuModule namespace=default name=hello',
    },
    {
      name: 'an error with its message, values with spaces quoted',
      line: `{"level":50,"time":${t},"name":"tofu-operator","namespace":"team a","execution":"x-1","err":{"type":"Error","message":"pods \\"x\\" not found","stack":"..."},"msg":"log session failed"}`,
      want: '03:04:05.067 ERROR log session failed namespace="team a" execution=x-1 err="pods \\"x\\" not found"',
    },
    {
      name: 'warn, debug and an unknown level',
      line: `{"level":40,"time":${t},"msg":"slow"}\n`,
      want: '03:04:05.067 WARN  slow',
    },
    { name: 'debug', line: `{"level":20,"time":${t},"msg":"d"}`, want: '03:04:05.067 DEBUG d' },
    { name: 'a custom level', line: `{"level":35,"time":${t},"msg":"c"}`, want: '03:04:05.067 L35   c' },
    {
      name: 'colour on a terminal',
      line: `{"level":40,"time":${t},"msg":"slow"}`,
      colour: true,
      want: '03:04:05.067 \u001b[33mWARN \u001b[0m slow',
    },
    { name: 'not JSON: unchanged', line: 'Next.js ready on http://localhost:3000', want: 'Next.js ready on http://localhost:3000' },
    { name: 'broken JSON: unchanged', line: '{"level":30,', want: '{"level":30,' },
    { name: 'JSON that is not a pino line: unchanged', line: '{"hello":"world"}', want: '{"hello":"world"}' },
    { name: 'a JSON array: unchanged', line: '[1,2]', want: '[1,2]' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(formatLogLine(c.line, { clock, colour: c.colour ?? false }), c.want));
  }
});

describe('topLevelKeys', () => {
  const cases: [string, string[]][] = [
    ['{"a":1,"b":{"c":2},"a":3}', ['a', 'b', 'a']],
    ['{"s":"x\\":y","t":[{"u":1}],"v":"{\\"w\\":1}"}', ['s', 't', 'v']],
    ['{}', []],
  ];
  for (const [json, want] of cases) it(json, () => assert.deepEqual(topLevelKeys(json), want));
});

describe('localClock', () => {
  it('prints the local time of day with milliseconds', () => {
    const d = new Date(2026, 0, 2, 13, 4, 5, 7);
    assert.equal(localClock(d.getTime()), '13:04:05.007');
  });
});
