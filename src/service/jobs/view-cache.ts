/**
 * The list views of recently listed jobs, by job id: a page read again (a dashboard refreshing, a
 * client walking back through its pages) is joined from memory instead of read and decoded from
 * the store again. Bounded by the characters it holds; the oldest entries go first (a read does
 * not reorder them: a page of 100 would pay 100 map moves for it).
 *
 * Only pages asked for again are kept (`pageSeen`): keeping every page read would slow the pages
 * read once, a walk through the whole list or random cursors, by about half (each kept view
 * survives into the old generation of the heap, and the collector pays for it), for nothing.
 *
 * The cache only knows the views it was given; keeping them true is the store's part: drop a job's
 * entry on every write of its view, and clear everything when another connection has written to
 * the file (sqlite-store.ts, `PRAGMA data_version`).
 */
/** Page keys remembered for admission. */
const MAX_PAGES = 4_096;

interface Entry {
  view: string;
  /** Which insertion of the id this is: an older one in `order` is not this entry. */
  generation: number;
}

export class ViewCache {
  private readonly views = new Map<string, Entry>();
  /**
   * Insertion order for eviction, oldest at `head`. Entries deleted or replaced since stay here
   * until they reach the head (their generation no longer matches): eviction stays O(1) without
   * walking the map's deleted slots.
   */
  private order: { id: string; generation: number }[] = [];
  private head = 0;
  private generation = 0;
  private size = 0;

  /** Pages asked for lately, by key; true once their views are kept. Bounded by MAX_PAGES. */
  private readonly pages = new Map<string, boolean>();

  /** `maxChars` 0 disables the cache. */
  constructor(private readonly maxChars: number) {}

  /**
   * Notes a read of the page `key` (its query) and says how to serve it: `kept` (its views were
   * kept: try them first), `again` (asked for before: keep its views now) or `new` (do not keep).
   */
  pageSeen(key: string): 'kept' | 'again' | 'new' {
    if (this.maxChars === 0) return 'new';
    const kept = this.pages.get(key);
    if (kept !== undefined) {
      if (!kept) this.pages.set(key, true);
      return kept ? 'kept' : 'again';
    }
    this.pages.set(key, false);
    if (this.pages.size > MAX_PAGES) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.pages.delete(oldest);
    }
    return 'new';
  }

  get(id: string): string | undefined {
    return this.views.get(id)?.view;
  }

  set(id: string, view: string): void {
    if (view.length > this.maxChars) return;
    this.delete(id);
    this.generation += 1;
    this.views.set(id, { view, generation: this.generation });
    this.order.push({ id, generation: this.generation });
    this.size += view.length;
    while (this.size > this.maxChars && this.head < this.order.length) {
      const oldest = this.order[this.head];
      this.head += 1;
      if (oldest !== undefined && this.views.get(oldest.id)?.generation === oldest.generation) {
        this.delete(oldest.id);
      }
    }
    // Now and then, not on every call: drop the queue's consumed part and its stale entries
    // (deleted or replaced ids), so it stays within a small multiple of the live entries.
    if (this.order.length - this.head > 2 * this.views.size + 1_024) {
      this.order = this.order
        .slice(this.head)
        .filter((e) => this.views.get(e.id)?.generation === e.generation);
      this.head = 0;
    }
  }

  delete(id: string): void {
    const entry = this.views.get(id);
    if (entry === undefined) return;
    this.views.delete(id);
    this.size -= entry.view.length;
  }

  clear(): void {
    this.views.clear();
    this.pages.clear();
    this.order = [];
    this.head = 0;
    this.size = 0;
  }

  /** Views held, and the characters they take. */
  get stats(): { entries: number; chars: number } {
    return { entries: this.views.size, chars: this.size };
  }
}
