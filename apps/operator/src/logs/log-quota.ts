/** Stored log chunks of a namespace and the bytes of their text. */
export interface NamespaceUsage {
  chunks: number;
  bytes: number;
}

/** The per-namespace caps on stored logs (TOFU_OPERATOR_LOG_NAMESPACE_MAX_CHUNKS / _BYTES). */
export interface NamespaceCaps {
  maxChunks: number;
  maxBytes: number;
}

/** A namespace's usage is counted again (a metadata-only LIST) when the count is older than this. */
export const RECOUNT_MS = 30_000;

/** Why a write that adds `chunks` and `bytes` to `usage` goes past the caps, or undefined when it fits. */
export function overCaps(usage: NamespaceUsage, chunks: number, bytes: number, caps: NamespaceCaps): string | undefined {
  if (chunks > 0 && usage.chunks + chunks > caps.maxChunks) return `${usage.chunks} of ${caps.maxChunks} chunks stored`;
  if (bytes > 0 && usage.bytes + bytes > caps.maxBytes) return `${usage.bytes} of ${caps.maxBytes} bytes stored`;
  return undefined;
}

/**
 * Keeps the stored logs of each namespace under its caps (etcd's quota is shared by the whole
 * cluster, and one tenant's logs must not fill it). Usage is counted from the API server now and
 * then and tallied in between as the archiver writes; deletions (an execution and its chunks going
 * away) are seen at the next count.
 */
export class LogQuota {
  private readonly counted = new Map<string, NamespaceUsage & { at: number }>();

  constructor(
    private readonly caps: NamespaceCaps,
    private readonly count: (namespace: string) => Promise<NamespaceUsage>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reserves room for a write that adds `chunks` new chunks and `bytes` of text in `namespace`.
   * Answers why not when it would go past a cap (nothing is reserved then).
   */
  async reserve(namespace: string, chunks: number, bytes: number): Promise<string | undefined> {
    let usage = this.counted.get(namespace);
    if (!usage || this.now() - usage.at >= RECOUNT_MS) {
      usage = { ...(await this.count(namespace)), at: this.now() };
      this.counted.set(namespace, usage);
    }
    const why = overCaps(usage, chunks, bytes, this.caps);
    if (why) return why;
    usage.chunks += chunks;
    usage.bytes += bytes;
    return undefined;
  }

  /** Adds a write made without asking (a log's final chunk is always written). */
  add(namespace: string, chunks: number, bytes: number): void {
    const usage = this.counted.get(namespace);
    if (!usage) return;
    usage.chunks += chunks;
    usage.bytes += bytes;
  }

  /** Forgets the counts (a new leader counts again). */
  reset(): void {
    this.counted.clear();
  }
}
