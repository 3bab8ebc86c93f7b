/**
 * The list views of recently listed jobs, by job id: a page read
 * again (a dashboard refreshing, a client walking back through its pages) is joined from memory
 * instead of read and decoded from the store again. Bounded by the characters it holds; the oldest
 * entries go first (a read does not reorder them: a page of 100 would pay 100 map moves for it).
 *
 * The cache only knows the views it was given; keeping them true is the store's part: drop a job's
 * entry on every write of its view, and clear everything when another connection has written to
 * the file (sqlite-store.ts, `PRAGMA data_version`).
 */
export class ViewCache {
  private readonly views = new Map<string, string>();
  private size = 0;

  /** `maxChars` 0 disables the cache. */
  constructor(private readonly maxChars: number) {}

  get(id: string): string | undefined {
    return this.views.get(id);
  }

  set(id: string, view: string): void {
    if (view.length > this.maxChars) return;
    this.delete(id);
    this.views.set(id, view);
    this.size += view.length;
    for (const [oldest, old] of this.views) {
      if (this.size <= this.maxChars) break;
      this.views.delete(oldest);
      this.size -= old.length;
    }
  }

  delete(id: string): void {
    const view = this.views.get(id);
    if (view === undefined) return;
    this.views.delete(id);
    this.size -= view.length;
  }

  clear(): void {
    this.views.clear();
    this.size = 0;
  }

  /** Views held, and the characters they take. */
  get stats(): { entries: number; chars: number } {
    return { entries: this.views.size, chars: this.size };
  }
}
