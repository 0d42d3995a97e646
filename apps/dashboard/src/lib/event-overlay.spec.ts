import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceEvent } from '@tofu-operator/api-contracts';
import type { TofuStack } from '@tofu-operator/api-types';
import { EventOverlay } from './event-overlay.ts';

const stack = (name: string, reason?: string): TofuStack => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name, namespace: 'ns' },
  spec: { moduleRef: { name: 'm' } },
  ...(reason ? { status: { conditions: [{ type: 'Ready', status: 'False', reason, message: '', lastTransitionTime: '' }] } } : {}),
});
const ev = (type: ResourceEvent['type'], o: TofuStack, namespace = 'ns'): ResourceEvent => ({
  kind: 'stacks',
  type,
  namespace,
  name: o.metadata.name!,
  object: o,
});
const reasonOf = (o: unknown) => (o as TofuStack).status?.conditions?.[0]?.reason;

/** A read whose answer is decided by the test, with events recorded while it is in flight. */
function inFlight<R>(overlay: EventOverlay, body: (since: number) => R, during: () => void): Promise<R> {
  return overlay.read(async (since) => {
    during();
    await Promise.resolve();
    return body(since);
  });
}

describe('EventOverlay', () => {
  it('an event that arrives during an item read wins over the older answer', async () => {
    const o = new EventOverlay();
    const got = await inFlight(
      o,
      (since) => o.item(since, 'ns', 'stacks', 'app', stack('app')),
      () => o.record(ev('MODIFIED', stack('app', 'DependencyNotApplied'))),
    );
    assert.equal(reasonOf(got), 'DependencyNotApplied');
  });

  it('an object deleted during the read is answered as deleted', async () => {
    const o = new EventOverlay();
    const got = await inFlight(
      o,
      (since) => o.item(since, 'ns', 'stacks', 'app', stack('app')),
      () => o.record(ev('DELETED', stack('app'))),
    );
    assert.deepEqual(got, { deleted: true });
  });

  it('events before the read, of other objects, namespaces or kinds leave the answer as it is', async () => {
    const o = new EventOverlay();
    const answer = stack('app', 'Fresh');
    // An outer read keeps the overlay recording; the event before the inner read started is older than its answer.
    await o.read(async () => {
      o.record(ev('MODIFIED', stack('app', 'Old')));
      const got = await o.read((since) => {
        o.record(ev('MODIFIED', stack('other', 'X')));
        o.record(ev('MODIFIED', stack('app', 'Y'), 'elsewhere'));
        o.record({ ...ev('MODIFIED', stack('app', 'Z')), kind: 'modules' } as ResourceEvent);
        return Promise.resolve(o.item(since, 'ns', 'stacks', 'app', answer));
      });
      assert.equal(got, answer);
    });
  });

  it('a list answer gets the events of its kind and namespace in the order they arrived', async () => {
    const o = new EventOverlay();
    const got = await inFlight(
      o,
      (since) => o.list(since, 'ns', 'stacks', [stack('a'), stack('b'), stack('c')]),
      () => {
        o.record(ev('MODIFIED', stack('b', 'First')));
        o.record(ev('DELETED', stack('c')));
        o.record(ev('ADDED', stack('d', 'New')));
        o.record(ev('ADDED', stack('e'), 'elsewhere'));
        o.record(ev('MODIFIED', stack('b', 'Second')));
      },
    );
    assert.deepEqual(
      got.map((s) => [s.metadata.name, reasonOf(s)]),
      [
        ['a', undefined],
        ['b', 'Second'],
        ['d', 'New'],
      ],
    );
  });

  it('keeps nothing while no read is in flight', async () => {
    const o = new EventOverlay();
    o.record(ev('MODIFIED', stack('app', 'Before')));
    await o.read(() => Promise.resolve(o.record(ev('MODIFIED', stack('app', 'During')))));
    const answer = stack('app');
    assert.equal(await o.read((since) => Promise.resolve(o.item(since, 'ns', 'stacks', 'app', answer))), answer);
    assert.equal(o.itemSince(0, 'ns', 'stacks', 'app'), undefined, 'the events of finished reads are forgotten');
  });
});
