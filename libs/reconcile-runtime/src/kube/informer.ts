import type { Logger } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import type { KubeClient } from './kube-client.js';
import { isGone } from './kube-errors.js';
import { resourcePath } from './resource-path.js';
import type { KubeObject } from './types.js';
import { Backoff } from '../backoff.js';
import { sleep, systemClock, type Clock } from '../clock.js';

/** Key of an object in an informer's store: "namespace/name" (or "name" for cluster-scoped). */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** The Accept header of a metadata-only list (PartialObjectMetadataList). */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
/** The Accept header of a metadata-only watch (PartialObjectMetadata events). */
export const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** The two calls an informer makes (KubeClient has them; specs pass a fake). */
export type ListWatchClient = Pick<KubeClient, 'list' | 'watch'>;

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (event: InformerEvent, obj: T, old?: T) => void;
/** Computes index values of an object, e.g. the name of its owner. */
export type IndexFunc<T> = (obj: T) => string[];

export interface InformerOptions<T extends KubeObject = KubeObject> {
  /** Restrict to one namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
  /**
   * Cache only the objects' metadata (PartialObjectMetadata): for watching kinds whose contents the
   * reader fetches itself when needed (Secrets, ConfigMaps), so their values never sit in memory.
   */
  metadataOnly?: boolean;
  /**
   * Applied to every object before it enters the store (listed, watched, or passed to observeCreate),
   * like controller-runtime's cache TransformFunc: drop what no reader uses (managedFields, the parts of
   * a Pod nobody reads) so each cached object costs less memory. Handlers, get(), list() and indexes
   * all see the transformed object, and the `old` object of an update is the transformed one stored
   * before. It may return the object it was given (changed) or a new one; it must keep the metadata
   * the informer needs (name, namespace, resourceVersion) and be pure. Deleted objects pass it too,
   * so handlers see one shape. Identity when unset.
   */
  transform?: (obj: T) => T;
  /** Page size of the initial list. Default 500. */
  pageSize?: number;
  /** Server-side watch timeout, after which the watch is re-opened. Default 3-4.5 min (jittered), below the HTTP client's 5 min body timeout. */
  watchTimeoutSeconds?: number;
  /** Timers of the restart backoff. The real ones by default. */
  clock?: Clock;
  /** Jitter of the restart backoff and the watch timeout. Math.random by default. */
  random?: () => number;
}

/**
 * A list-then-watch cache of one resource type, like client-go's reflector + indexer:
 * - lists in pages, replaces the store, then watches from the list's resourceVersion with bookmarks;
 * - re-opens the watch when the server ends it, relists on 410 Gone, and restarts after any error
 *   with capped exponential backoff and jitter (it never stops for good until stop() is called);
 * - resourceVersion is treated as opaque (only passed back to the server);
 * - handlers get add/update/delete, including synthetic ones for the differences after a relist.
 */
export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private abort = new AbortController();
  private running = false;
  /** Keys this process created (observeCreate) while a relist was reading its pages: newer than its snapshot. */
  private createdDuringRelist: Set<string> | undefined;
  private syncedOnce = false;
  private syncWaiters: (() => void)[] = [];
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly random: () => number;
  private loop: Promise<void> | undefined;
  /** Number of times the list+watch loop restarted after an error (for metrics and tests). */
  restarts = 0;

  constructor(
    private readonly client: ListWatchClient,
    readonly resource: ResourceType,
    private readonly log: Logger,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.backoff = new Backoff(800, 30_000, this.random);
  }

  /** Registers an index; call before start(). */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    this.indexes.set(name, new Map());
  }

  /** Registers a handler; call before start(). Handlers must only enqueue work, not do it. */
  onEvent(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  /** Resolves once the first full list has been stored. */
  waitForSync(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get hasSynced(): boolean {
    return this.syncedOnce;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace ? all.filter((o) => o.metadata?.namespace === namespace) : all;
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.store.get(k)).filter((o): o is T => o !== undefined);
  }

  /**
   * Puts an object this process just created into the store if the watch has not delivered it yet
   * (like client-go's mutation cache), so handlers run at once instead of a watch round-trip later.
   * The watch's own ADDED event then arrives as an update. Never replaces a cached object, since
   * resourceVersions cannot be compared.
   */
  observeCreate(obj: T): void {
    const key = objectKey(obj);
    this.createdDuringRelist?.add(key);
    if (!this.store.has(key)) this.apply('add', this.trim(obj));
  }

  get size(): number {
    return this.store.size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        let rv = await this.relist();
        this.backoff.reset();
        // Watch until an error; a normal end of the stream (server timeout) just re-opens it.
        while (this.running) rv = await this.watchOnce(rv);
      } catch (err) {
        if (!this.running) return;
        if (isGone(err)) {
          this.log.info({ resource: this.resource.plural }, 'watch resourceVersion expired (410), relisting');
          continue;
        }
        this.restarts++;
        const delay = this.backoff.next();
        this.log.warn({ err, resource: this.resource.plural, retryInMs: delay }, 'informer failed, restarting');
        await sleep(delay, this.clock, this.abort.signal);
      }
    }
  }

  private async relist(): Promise<string> {
    const fresh = new Map<string, T>();
    const created = (this.createdDuringRelist = new Set<string>());
    let rv: string;
    try {
      rv = await this.listPages(fresh);
    } finally {
      this.createdDuringRelist = undefined;
    }
    // Replace the store, telling handlers what changed while we were not watching. An object this
    // process created while the pages were read is newer than their snapshot, not gone: it stays
    // (the watch from the list's resourceVersion delivers it, or its deletion). Dropping it made an
    // owner's reconcile see no execution where one had just been created.
    for (const [key, old] of this.store) if (!fresh.has(key) && !created.has(key)) this.apply('delete', old);
    for (const obj of fresh.values()) this.apply(this.store.has(objectKey(obj)) ? 'update' : 'add', obj);
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.syncWaiters.forEach((w) => w());
      this.syncWaiters = [];
    }
    return rv;
  }

  /** Reads every page of the list into `fresh`; returns the list's resourceVersion. */
  private async listPages(fresh: Map<string, T>): Promise<string> {
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<T>(
        this.resource,
        this.opts.namespace,
        {
          labelSelector: this.opts.labelSelector,
          limit: this.opts.pageSize ?? 500,
          continue: cont,
          ...(this.opts.metadataOnly ? { accept: METADATA_LIST_ACCEPT } : {}),
        },
        this.abort.signal,
      );
      // An empty PartialObjectMetadataList carries "items": null.
      for (const item of page.items ?? []) {
        // Lists omit kind/apiVersion on items; fill them so objects look the same as from watches.
        item.apiVersion ??= this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
        item.kind ??= this.resource.kind;
        fresh.set(objectKey(item), this.trim(item));
      }
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? '';
    } while (cont);
    return rv;
  }

  private async watchOnce(rv: string): Promise<string> {
    let last = rv;
    const timeout = this.opts.watchTimeoutSeconds ?? Math.floor(180 + this.random() * 90);
    await this.client.watch<T>(
      resourcePath(this.resource, this.opts.namespace),
      { resourceVersion: rv, allowWatchBookmarks: true, labelSelector: this.opts.labelSelector, timeoutSeconds: timeout },
      (e) => {
        last = e.object.metadata?.resourceVersion ?? last;
        if (e.type === 'BOOKMARK') return;
        this.apply(e.type === 'DELETED' ? 'delete' : this.store.has(objectKey(e.object)) ? 'update' : 'add', this.trim(e.object));
      },
      this.abort.signal,
      this.opts.metadataOnly ? METADATA_WATCH_ACCEPT : undefined,
    );
    return last;
  }

  /** The object as the store keeps it (opts.transform). */
  private trim(obj: T): T {
    return this.opts.transform ? this.opts.transform(obj) : obj;
  }

  private apply(event: InformerEvent, obj: T): void {
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (old) this.unindex(key, old);
    if (event === 'delete') this.store.delete(key);
    else {
      this.store.set(key, obj);
      this.index(key, obj);
    }
    for (const h of this.handlers) {
      try {
        h(event, obj, old);
      } catch (err) {
        this.log.error({ err, resource: this.resource.plural }, 'informer handler threw');
      }
    }
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(obj)) {
        let keys = idx.get(v);
        if (!keys) idx.set(v, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(obj)) {
        const keys = idx.get(v);
        keys?.delete(key);
        if (keys?.size === 0) idx.delete(v);
      }
    }
  }
}
