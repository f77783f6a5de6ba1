/**
 * A Map that holds at most `limit` entries: setting one more drops the entry used longest ago.
 * `set` and `get` count as a use (the entry moves to the back of the line); `peek` reads
 * without one, for maps whose order should follow writes only. The portal's memories (kept
 * pages, kept reads, verified sessions, recent timeline rows) each bound themselves with one.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`a bounded map needs a limit of at least 1, not ${limit}`);
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): this {
    // A Map keeps insertion order: taking the key out first puts it at the back.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
    return this;
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
