import type { ResourceType } from '@tofu-operator/api-types';
import type { ListOptions } from '../kube/kube-client.js';
import type { RequestOptions } from '../kube/kube-transport.js';
import type { KubeObject, ObjectList, WatchEvent } from '../kube/types.js';

/** One watch an informer opened: specs send events into it and end or fail it. */
export interface FakeWatch {
  path: string;
  query: RequestOptions['query'];
  /** The Accept header the watch asked for, when not the default. */
  accept?: string;
  signal: AbortSignal;
  send(type: WatchEvent<KubeObject>['type'], object: KubeObject): void;
  /** The server ends the stream normally (e.g. its timeout). */
  end(): void;
  fail(err: Error): void;
}

/**
 * The list and watch calls of an informer, served from a list of objects the spec sets. Lists are
 * paged (continue tokens) and carry `listVersion`; the next `listErrors` are thrown by lists instead.
 * Like KubeClient.watch, a watch resolves when its signal aborts.
 */
export class FakeListWatch {
  objects: KubeObject[] = [];
  listVersion = 'list-1';
  readonly listErrors: Error[] = [];
  readonly lists: { namespace: string | undefined; opts: ListOptions }[] = [];
  readonly watches: FakeWatch[] = [];

  /** The watch opened last. */
  get current(): FakeWatch {
    const w = this.watches.at(-1);
    if (!w) throw new Error('no watch has been opened');
    return w;
  }

  list<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList<T>> {
    this.lists.push({ namespace, opts: { ...opts } });
    const err = this.listErrors.shift();
    if (err) return Promise.reject(err);
    const start = opts.continue ? Number(opts.continue.slice('page:'.length)) : 0;
    const end = opts.limit ? start + opts.limit : this.objects.length;
    // Items of a list carry no kind or apiVersion, as from the API server.
    const items = this.objects.slice(start, end).map(({ kind: _k, apiVersion: _a, ...rest }) => structuredClone(rest) as T);
    const metadata =
      end < this.objects.length ? { resourceVersion: this.listVersion, continue: `page:${end}` } : { resourceVersion: this.listVersion };
    return Promise.resolve({ metadata, items });
  }

  watch<T extends KubeObject>(
    path: string,
    query: RequestOptions['query'],
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
    accept?: string,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let open = true;
      const close = () => (open = false);
      this.watches.push({
        path,
        query: { ...query },
        ...(accept ? { accept } : {}),
        signal,
        send: (type, object) => {
          if (open) onEvent({ type, object: structuredClone(object) as T });
        },
        end: () => (close(), resolve()),
        fail: (err) => (close(), reject(err)),
      });
      signal.addEventListener('abort', () => (close(), resolve()), { once: true });
    });
  }
}
