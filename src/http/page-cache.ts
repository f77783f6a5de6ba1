/**
 * Rendered pages, by a key that names everything the page shows. Bounded: past maxEntries the
 * entry used longest ago goes. Only pages that depend on nothing but their key may go in.
 */
export class PageCache<T = string> {
  readonly #pages = new Map<string, T>();

  constructor(private readonly maxEntries: number) {}

  /** The page under key, rendering and keeping it when it is not there yet. */
  get(key: string, render: () => T): T {
    let page = this.#pages.get(key);
    if (page === undefined) {
      page = render();
    } else {
      this.#pages.delete(key);
    }
    this.#pages.set(key, page);
    if (this.#pages.size > this.maxEntries) this.#pages.delete(this.#pages.keys().next().value!);
    return page;
  }

  get size(): number {
    return this.#pages.size;
  }
}
