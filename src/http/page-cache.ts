import { BoundedMap } from '../lib/bounded-map.js';

/**
 * Rendered pages, by a key that names everything the page shows. Bounded: past maxEntries the
 * entry used longest ago goes. Only pages that depend on nothing but their key may go in.
 */
export class PageCache<T = string> {
  readonly #pages: BoundedMap<string, T>;

  constructor(maxEntries: number) {
    this.#pages = new BoundedMap(maxEntries);
  }

  /** The page under key, rendering and keeping it when it is not there yet. */
  get(key: string, render: () => T): T {
    let page = this.#pages.get(key);
    if (page === undefined) {
      page = render();
      this.#pages.set(key, page);
    }
    return page;
  }

  get size(): number {
    return this.#pages.size;
  }
}
