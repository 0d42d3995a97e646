import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isGone, KubeApiError } from './kube-errors.js';
import { readWatchStream } from './watch-stream.js';
import type { KubeObject, WatchEvent } from './types.js';

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const p of parts) {
    await Promise.resolve();
    yield Buffer.from(p, 'utf8');
  }
}

const line = (type: string, name: string, rv: string) =>
  JSON.stringify({ type, object: { metadata: { name, resourceVersion: rv } } }) + '\n';

describe('readWatchStream', () => {
  it('delivers one event per line, also when lines are split across chunks', async () => {
    const text = line('ADDED', 'a', '1') + '\n' + line('MODIFIED', 'a', '2') + line('BOOKMARK', '', '3') + line('DELETED', 'a', '4');
    const events: WatchEvent<KubeObject>[] = [];
    // Cut the text into 7-byte pieces so every line spans several chunks.
    const pieces = text.match(/[\s\S]{1,7}/g) ?? [];
    await readWatchStream<KubeObject>(chunks(...pieces), '/w', (e) => events.push(e));
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion]),
      [
        ['ADDED', 'a', '1'],
        ['MODIFIED', 'a', '2'],
        ['BOOKMARK', '', '3'],
        ['DELETED', 'a', '4'],
      ],
    );
  });

  it('rejects with the Status code of an ERROR event (410 Gone), after the events before it', async () => {
    const gone = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } }) + '\n';
    const events: string[] = [];
    const err = await readWatchStream<KubeObject>(chunks(line('ADDED', 'a', '1'), gone, line('ADDED', 'b', '2')), '/w', (e) =>
      events.push(e.object.metadata?.name ?? ''),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
    assert.ok(isGone(err));
    assert.deepEqual(events, ['a'], 'nothing after the ERROR event is delivered');
  });

  it('ignores an unterminated last line (the stream was cut mid-event)', async () => {
    const events: string[] = [];
    await readWatchStream<KubeObject>(chunks(line('ADDED', 'a', '1'), '{"type":"ADDED","obj'), '/w', (e) =>
      events.push(e.object.metadata?.name ?? ''),
    );
    assert.deepEqual(events, ['a']);
  });
});
