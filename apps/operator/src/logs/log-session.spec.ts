import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { TofuExecution } from '@tofu-operator/api-types';
import { KubeApiError, type KubeClient, type Logger, type Pod } from '@tofu-operator/reconcile-runtime';
import type { LogState } from '@tofu-operator/api-contracts';
import { LogSession, type LogSessionDeps } from './log-session.js';
import { END_WAIT_MS } from './log-timing.js';
import { truncationMarker, type StoredLog } from './log-chunks.js';

const execution = (phase?: string): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'x', namespace: 'ns', uid: 'u' },
  spec: { action: 'plan', moduleRef: { name: 'm' } },
  ...(phase ? { status: { phase: phase as 'Running' } } : {}),
});
const pod = (state: 'running' | 'terminated'): Pod => ({
  metadata: { name: 'x-pod', namespace: 'ns' },
  status: { containerStatuses: [{ name: 'runner', state: { [state]: {} } }] },
});

const quiet = { warn: () => undefined, error: () => undefined } as unknown as Logger;

/** A session over scripted pods/log answers (one per call) and a fixed view of the cache. */
function session(
  streams: (string[] | Error)[],
  view: { execution: TofuExecution; pod: () => Pod },
  stored: StoredLog = { lines: [], final: false },
  maxBytes = 2 ** 20,
  // The old fixed pause between reads unless a test is about the wait for the cache.
  endWaitMs = 500,
) {
  const calls: Record<string, unknown>[] = [];
  const client = {
    stream: (_path: string, query: Record<string, unknown>) => {
      calls.push(query);
      const parts = streams.shift() ?? [];
      if (parts instanceof Error) return Promise.reject(parts);
      return Promise.resolve(Readable.from(parts.map((p) => Buffer.from(p))));
    },
  } as unknown as KubeClient;
  const deps: LogSessionDeps = {
    client,
    log: quiet,
    execution: () => view.execution,
    pod: () => view.pod(),
    readStored: () => Promise.resolve(stored),
    maxBytes,
    endWaitMs,
  };
  return { s: new LogSession('ns', 'x', deps), calls };
}

function viewer() {
  const got: { seq: number; lines: string[] }[] = [];
  const states: LogState[] = [];
  let resolveEnd: () => void = () => undefined;
  const ended = new Promise<void>((r) => (resolveEnd = r));
  return {
    got,
    states,
    ended,
    sink: {
      lines: (seq: number, lines: readonly string[]) => {
        got.push({ seq, lines: [...lines] });
      },
      state: (st: LogState) => {
        states.push(st);
        if (st === 'ended' || st === 'unavailable') resolveEnd();
      },
    },
    all: () => got.flatMap((g) => g.lines),
  };
}

const T = (s: string) => `2026-11-25T22:00:${s}Z`;

/** After `ms` the cache shows the runner terminated, and the session is woken as the log hub wakes it. */
function exitsAfter(ms: number, runner: { state: 'running' | 'terminated' }, s: LogSession): void {
  setTimeout(() => {
    runner.state = 'terminated';
    s.poke();
  }, ms);
}

describe('LogSession', () => {
  it('serves a stored final log without reading the pod', async () => {
    const { s, calls } = session(
      [],
      { execution: execution('Succeeded'), pod: () => pod('terminated') },
      { lines: ['a', 'b'], final: true },
    );
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    await v.ended;
    assert.deepEqual(v.all(), ['a', 'b']);
    assert.equal(calls.length, 0);
  });

  it('hands a large append (a stored log) to each viewer in batches of its size', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
    const { s } = session([], { execution: execution('Succeeded'), pod: () => pod('terminated') }, { lines, final: true });
    const v = viewer();
    const late = viewer();
    s.subscribe(v.sink, 0, 10);
    s.subscribe(late.sink, 12, 10);
    await Promise.all([v.ended, late.ended]);
    assert.deepEqual(
      v.got.map((g) => [g.seq, g.lines.length]),
      [
        [0, 10],
        [10, 10],
        [20, 5],
      ],
    );
    assert.deepEqual(v.all(), lines);
    assert.deepEqual(
      late.got.map((g) => [g.seq, g.lines.length]),
      [
        [12, 10],
        [22, 3],
      ],
    );
    assert.deepEqual(late.all(), lines.slice(12));
  });

  it('collects lines that arrive in many small pieces into few messages', async () => {
    const pieces = Array.from({ length: 200 }, (_, i) => `${T('01')} line ${i}\n`);
    const { s } = session([pieces], { execution: execution('Succeeded'), pod: () => pod('terminated') });
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    await v.ended;
    assert.deepEqual(
      v.all(),
      pieces.map((_, i) => `line ${i}`),
    );
    assert.ok(v.got.length <= 2, `${v.got.length} messages for 200 pieces`);
    // The end comes after the last line.
    assert.deepEqual(v.states, ['waiting', 'streaming', 'ended']);
  });

  it('resumes a stream that broke off, without repeats or a torn line', async () => {
    let podState: 'running' | 'terminated' = 'running';
    const { s, calls } = session(
      [
        // Breaks off in the middle of line "c".
        [`${T('01.1')} a\n${T('01.5')} b\n${T('01.5')} c-to`],
        // Resumed from 01 s: repeats a, b; then the whole c and d.
        [`${T('01.1')} a\n${T('01.5')} b\n${T('01.5')} c-torn-no-more\n${T('02')} d\n`],
        // The final read without follow.
        [`${T('02')} d\n${T('03')} e\n`],
      ],
      { execution: execution('Running'), pod: () => pod(podState) },
    );
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    // After the second stream the runner has terminated.
    setTimeout(() => (podState = 'terminated'), 700);
    await v.ended;
    assert.deepEqual(v.all(), ['a', 'b', 'c-torn-no-more', 'd', 'e']);
    assert.deepEqual(
      calls.map((c) => [c['follow'], c['sinceTime']]),
      [
        [true, undefined],
        [true, T('01.5')],
        [undefined, T('02')],
      ],
    );
    // Sequence numbers are consecutive line numbers.
    let next = 0;
    for (const g of v.got) {
      assert.equal(g.seq, next);
      next += g.lines.length;
    }
  });

  it('after a clean end waits for the cache to show the runner exited, so the next read is the final one', async () => {
    const runner = { state: 'running' as 'running' | 'terminated' };
    const { s, calls } = session(
      [[`${T('01')} a\n${T('02')} b\n`], [`${T('02')} b\n${T('03')} c\n`]],
      { execution: execution('Running'), pod: () => pod(runner.state) },
      undefined,
      undefined,
      END_WAIT_MS,
    );
    const v = viewer();
    const started = Date.now();
    s.subscribe(v.sink, 0, 1000);
    // The runner exited as the stream ended; the cache shows it 300 ms later and wakes the session.
    exitsAfter(300, runner, s);
    await v.ended;
    assert.deepEqual(v.all(), ['a', 'b', 'c']);
    assert.deepEqual(
      calls.map((c) => c['follow']),
      [true, undefined],
      'one follow read and the final read, no follow read that ends at once',
    );
    assert.ok(Date.now() - started < END_WAIT_MS, 'woken by the cache, not by the end of the wait');
  });

  it('resumes a stream that ended cleanly while the runner still runs once the wait is over', async () => {
    const runner = { state: 'running' as 'running' | 'terminated' };
    const { s, calls } = session(
      [[`${T('01')} a\n`], [`${T('01')} a\n${T('02')} b\n`], [`${T('02')} b\n`]],
      { execution: execution('Running'), pod: () => pod(runner.state) },
      undefined,
      undefined,
      200,
    );
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    exitsAfter(300, runner, s);
    await v.ended;
    assert.deepEqual(v.all(), ['a', 'b']);
    assert.deepEqual(
      calls.map((c) => [c['follow'], c['sinceTime']]),
      [
        [true, undefined],
        [true, T('01')],
        [undefined, T('02')],
      ],
    );
  });

  it('reads on through a kubelet restart: refused, then 404 while it syncs, then the rest of the log (the final read too)', async () => {
    let podState: 'running' | 'terminated' = 'running';
    const refused = new KubeApiError('GET', '/log', 500, { message: 'dial tcp 10.88.0.1:10250: connect: connection refused' });
    const notSynced = new KubeApiError('GET', '/log', 404, { message: 'pod "x-pod" does not exist' });
    const { s, calls } = session(
      [
        [`${T('01')} a\n`],
        refused,
        notSynced,
        [`${T('01')} a\n${T('02')} b\n`],
        // The runner terminated meanwhile: the final read fails once, then answers.
        refused,
        [`${T('02')} b\n${T('03')} c\n`],
      ],
      { execution: execution('Running'), pod: () => pod(podState) },
    );
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    setTimeout(() => (podState = 'terminated'), 1800);
    await v.ended;
    assert.deepEqual(v.all(), ['a', 'b', 'c']);
    assert.equal(s.message, undefined, 'the log ended complete');
    assert.equal(calls.length, 6);
    assert.equal(calls.at(-1)?.['follow'], undefined, 'the last read is the final one');
  });

  it('a viewer asking for lines not read yet gets them from that line on, once', async () => {
    const { s } = session([[`${T('01')} a\n${T('02')} b\n${T('03')} c\n`]], {
      execution: execution('Succeeded'),
      pod: () => pod('terminated'),
    });
    const late = viewer();
    const all = viewer();
    s.subscribe(late.sink, 2, 1000);
    s.subscribe(all.sink, 0, 1000);
    await Promise.all([late.ended, all.ended]);
    assert.deepEqual(all.all(), ['a', 'b', 'c']);
    assert.deepEqual(late.got, [{ seq: 2, lines: ['c'] }]);
  });

  it('waits while the runner has not started, and ends for a run that never started', async () => {
    const exec = { current: execution('Pending') };
    const { s } = session([], { execution: exec.current, pod: () => ({ metadata: { name: 'p' } }) });
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.state, 'waiting');
    s.close();
    const done = session([], { execution: execution('Failed'), pod: () => ({ metadata: { name: 'p' } }) });
    const w = viewer();
    done.s.subscribe(w.sink, 0, 1000);
    await w.ended;
    assert.equal(done.s.message, 'the runner container never started');
  });

  it('ends the log it serves at the cap with the truncation marker and stops reading the pod', async () => {
    const pieces = Array.from({ length: 500 }, (_, i) => `${T('01')} line ${String(i).padStart(4, '0')}\n`);
    const { s, calls } = session([pieces], { execution: execution('Running'), pod: () => pod('running') }, undefined, 100);
    const v = viewer();
    s.subscribe(v.sink, 0, 1000);
    await v.ended;
    assert.deepEqual(v.all(), [...pieces.slice(0, 10).map((p) => p.slice(T('01').length + 1, -1)), truncationMarker(100)]);
    assert.equal(s.message, 'the log was truncated at 100 B');
    assert.equal(calls.length, 1, 'no resume, no final pass after the cap');
  });

  it('holds the pod stream while a sink is busy (back-pressure) and keeps no lines without history', async () => {
    let pulled = 0;
    const pieces = function* () {
      for (let i = 0; i < 2000; i++) {
        pulled++;
        yield Buffer.from(`${T('01')} ${'x'.repeat(200)} ${i}\n`);
      }
    };
    const deps: LogSessionDeps = {
      client: { stream: () => Promise.resolve(Readable.from(pieces())) } as unknown as KubeClient,
      log: quiet,
      execution: () => execution('Succeeded'),
      pod: () => pod('terminated'),
      readStored: () => Promise.resolve({ lines: [], final: false }),
      maxBytes: 2 ** 30,
      history: false,
    };
    const s = new LogSession('ns', 'x', deps);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let got = 0;
    let ended = false;
    s.subscribe(
      {
        lines: (_seq, lines) => {
          got += lines.length;
          return gate;
        },
        state: (st) => void (ended = st === 'ended'),
      },
      0,
      1000,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(got > 0 && pulled < 2000, `read ${pulled} of 2000 pieces while the sink was busy`);
    release();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(got, 2000);
    assert.equal(ended, true);
    assert.equal(s.count, 2000);
    assert.deepEqual(s.lines, [], 'no history kept');
  });
});
