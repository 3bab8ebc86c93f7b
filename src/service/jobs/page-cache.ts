/**
 * Whole list pages of the SQLite store, by query, once a page has been read a third time (its
 * views are kept from the second, view-cache.ts): a hot page (a dashboard refreshing, a client polling its
 * first page) is answered without a query, and as the same page object, so the HTTP layer can keep
 * the answer it built from it (routes-v1.ts).
 *
 * What keeps a page true, from the keyset query it is (sqlite-store.ts, `listSql`): a page is the
 * first `limit + 1` jobs, newest first, among those matching its filters with `id < before`. Only
 * a write of a job whose id lies in the span the query read can change it:
 * - the span runs from the last id read (the extra row, when there was one) up to `before` (no
 *   upper bound on a first page); a page that read fewer than `limit + 1` rows reached the oldest
 *   job, and its span has no lower bound;
 * - a job younger than `before` is never on the page; a job older than the extra row stays behind
 *   `limit + 1` jobs that are, whatever its status or client becomes.
 * So every write of a job through the store drops the pages whose span holds its id (`drop`),
 * whatever their filters (cautious, never wrong), and a write by another connection to the file
 * clears them all (`PRAGMA data_version`), as for the view cache.
 *
 * Ids compare as SQLite compares TEXT (bytes of UTF-8, i.e. code points); JavaScript compares
 * UTF-16 units, which orders the same except around surrogates: an id holding one clears every page.
 */
import type { JobViewPage } from './job-store.js';

/**
 * Characters of views the kept pages may hold: 4 Mi, about 180 pages of 20 or 36 of 100. The
 * answer the HTTP layer keeps for each is about as large again.
 */
export const DEFAULT_PAGE_CACHE_CHARS = 4 * 1024 * 1024;

/** The ids a page's query read: what a write must fall in to change it. */
export interface PageSpan {
  /** The last id read (the extra row); undefined when the query reached the oldest job. */
  low: string | undefined;
  /** The query's `before`; undefined for a first page. */
  high: string | undefined;
}

interface Entry extends PageSpan {
  page: JobViewPage;
  chars: number;
}

const SURROGATE = /[\uD800-\uDFFF]/;

export class PageCache {
  private readonly pages = new Map<string, Entry>();
  private chars = 0;

  /** Bounded by the characters of the views its pages hold, the oldest page going first; 0 = none. */
  constructor(private readonly maxChars: number = DEFAULT_PAGE_CACHE_CHARS) {}

  get(key: string): JobViewPage | undefined {
    return this.pages.get(key)?.page;
  }

  /**
   * Keeps `page` until a write in `span` drops it; answers the page to serve, the kept one (marked
   * `kept`, frozen: every reader gets this object) or `page` itself when it does not fit.
   */
  set(key: string, page: JobViewPage, span: PageSpan): JobViewPage {
    let chars = 0;
    for (const item of page.items) chars += item.view.length;
    if (chars > this.maxChars) return page;
    for (const item of page.items) Object.freeze(item);
    Object.freeze(page.items);
    const kept: JobViewPage = Object.freeze({ items: page.items, next: page.next, kept: true });
    this.delete(key);
    this.pages.set(key, { page: kept, chars, ...span });
    this.chars += chars;
    for (const oldest of this.pages.keys()) {
      if (this.chars <= this.maxChars) break;
      this.delete(oldest);
    }
    return kept;
  }

  /** A job `id` was written: drops every page whose span holds it. */
  drop(id: string): void {
    if (this.pages.size === 0) return;
    if (SURROGATE.test(id)) {
      this.clear();
      return;
    }
    for (const [key, entry] of this.pages) {
      if ((entry.low === undefined || id >= entry.low) && (entry.high === undefined || id < entry.high)) {
        this.delete(key);
      }
    }
  }

  clear(): void {
    this.pages.clear();
    this.chars = 0;
  }

  private delete(key: string): void {
    const entry = this.pages.get(key);
    if (entry === undefined) return;
    this.pages.delete(key);
    this.chars -= entry.chars;
  }

  /** Pages held, and the characters of their views. */
  get stats(): { pages: number; chars: number } {
    return { pages: this.pages.size, chars: this.chars };
  }
}
