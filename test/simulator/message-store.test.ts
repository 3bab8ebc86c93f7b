import { describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { MessageStore } from '../../src/simulator/store/message-store.js';
import { compareSnowflakes, SnowflakeGenerator } from '../../src/util/snowflake.js';

const CHANNEL = '1100000000000000200';

function filled(count: number, retention?: number): { store: MessageStore; ids: string[] } {
  const store = new MessageStore(retention);
  store.addChannel(CHANNEL);
  let t = 1_700_000_000_000;
  const generator = new SnowflakeGenerator(() => t);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    t += 1_000;
    const id = generator.next();
    ids.push(id);
    store.insert({ id, channel_id: CHANNEL, content: `m${i}` } as APIMessage);
  }
  return { store, ids };
}

const contents = (page: APIMessage[]): string[] => page.map((m) => m.content);

describe('MessageStore pagination (Discord semantics)', () => {
  const { store, ids } = filled(10);
  const id = (i: number): string => ids[i] as string;

  it.each([
    ['no anchor: the newest, newest first', { limit: 3 }, ['m9', 'm8', 'm7']],
    ['before is exclusive and takes the nearest older', { limit: 3, before: id(5) }, ['m4', 'm3', 'm2']],
    ['after is exclusive and takes the oldest after it', { limit: 3, after: id(2) }, ['m5', 'm4', 'm3']],
    ['after near the end returns what is left', { limit: 5, after: id(7) }, ['m9', 'm8']],
    ['around includes its anchor', { limit: 1, around: id(4) }, ['m4']],
    ['around centres the page', { limit: 4, around: id(4) }, ['m5', 'm4', 'm3', 'm2']],
    ['after 0 pages from the start', { limit: 2, after: '0' }, ['m1', 'm0']],
    ['after wins over before when both are given', { limit: 2, after: id(1), before: id(9) }, ['m3', 'm2']],
  ])('%s', (_name, query, expected) => {
    expect(contents(store.list(CHANNEL, query))).toEqual(expected);
  });

  it('pages forward through the whole channel with after = the first id of each page', () => {
    const seen: string[] = [];
    let after = '0';
    for (;;) {
      const page = store.list(CHANNEL, { limit: 3, after });
      if (page.length === 0) break;
      seen.push(...contents(page).reverse());
      after = (page[0] as APIMessage).id;
    }
    expect(seen).toEqual(ids.map((_, i) => `m${i}`));
  });

  it('pages backward with before = the last id of each page', () => {
    const seen: string[] = [];
    let page = store.list(CHANNEL, { limit: 4 });
    while (page.length > 0) {
      seen.push(...contents(page));
      page = store.list(CHANNEL, { limit: 4, before: (page[page.length - 1] as APIMessage).id });
    }
    expect(seen).toEqual(ids.map((_, i) => `m${9 - i}`));
  });

  it('keeps id order when a message is inserted out of order, and forgets removed ones', () => {
    const { store: s, ids: all } = filled(3);
    const removed = s.remove(CHANNEL, all[1] as string);
    expect(removed?.content).toBe('m1');
    s.insert(removed as APIMessage);
    const listed = s.all(CHANNEL).map((m) => m.id);
    expect([...listed].sort(compareSnowflakes)).toEqual(listed);
    expect(s.remove(CHANNEL, '1')).toBeUndefined();
  });
});

describe('MessageStore retention', () => {
  it('keeps the newest messages per channel and drops the oldest', () => {
    const { store, ids } = filled(250, 100);
    const kept = store.all(CHANNEL);
    expect(kept).toHaveLength(100);
    expect(kept[0]?.id).toBe(ids[150]);
    expect(kept.at(-1)?.id).toBe(ids[249]);
    expect(store.get(CHANNEL, ids[0] as string)).toBeUndefined();
  });
});
