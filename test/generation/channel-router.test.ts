import { describe, expect, it } from 'vitest';
import { ChannelRouter, EARLIEST_SNOWFLAKE } from '../../src/generation/channel-router.js';
import type { JobEvent, WatchedJob } from '../../src/generation/channel-watcher.js';
import { CHANNEL_ID, done, job, notice, progress, sf, USER_ID, uuid, waiting } from './fixtures.js';

const sim = { id: USER_ID, username: 'u', global_name: null, discriminator: '0', avatar: null };
/** A reply to an imagine interaction: `interaction_metadata` only, no nonce (as REST lists it). */
const answers = (interactionId: string) => ({
  interaction_metadata: { id: interactionId, type: 2, name: 'imagine', user: sim },
});
/** A refusal without the footer: nothing but the interaction tells whose it is. */
function bareRefusal(id: string, interactionId: string) {
  const m = notice(id, 'Invalid parameter', 'x', { mentions: [], ...answers(interactionId) });
  delete m.embeds[0]?.footer;
  return m;
}

function setup() {
  let now = 1_000;
  const router = new ChannelRouter(CHANNEL_ID, { userId: () => USER_ID, now: () => now });
  const events = new Map<string, JobEvent[]>();
  const add = (fields: Parameters<typeof job>[0]) => {
    const list: JobEvent[] = [];
    events.set(fields.id, list);
    const watched: WatchedJob = {
      channelId: CHANNEL_ID,
      correlation: job(fields),
      sink: (e) => list.push(e),
    };
    return { remove: router.add(watched), correlation: watched.correlation, events: list };
  };
  /** What each job was told, compactly: `m:<id>` / `d:<id>`. */
  const told = (id: string) =>
    (events.get(id) ?? []).map((e) =>
      e.type === 'message' ? `m:${e.message.id}` : e.type === 'deleted' ? `d:${e.messageId}` : e.type,
    );
  return { router, add, told, advance: (ms: number) => (now += ms) };
}

const full = (floor: string) => ({ floor, complete: true, newestId: undefined });

describe('ChannelRouter', () => {
  it('delivers a message once, then only its changes', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat' });
    router.handleMessage(waiting(sf(10), 'cat'), 'poll');
    router.handleMessage(waiting(sf(10), 'cat'), 'poll');
    router.handleMessage(progress(sf(10), 'cat', 31, 1), 'poll');
    router.handleMessage(progress(sf(10), 'cat', 31, 1), 'poll');
    router.handleMessage(progress(sf(10), 'cat', 62, 2), 'poll');
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(10)}`, `m:${sf(10)}`]);
  });

  it("reads the floor just before each job's first message, else its recorded last message", () => {
    const { router, add } = setup();
    expect(router.floor()).toBe(EARLIEST_SNOWFLAKE);
    add({ id: 'a', prompt: 'cat', afterMessageId: sf(5) });
    add({ id: 'b', prompt: 'dog', afterMessageId: sf(30) });
    expect(router.floor()).toBe(sf(5));
    router.handleMessage(waiting(sf(10), 'cat'), 'poll');
    expect(router.floor()).toBe(sf(9));
  });

  it('in one poll, routes a result by the progress message it replaced (no swap when the second job finishes first)', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    add({ id: 'b', prompt: 'cat', seq: 2 });
    const floor = sf(1);
    router.applySnapshot([waiting(sf(10), 'cat'), waiting(sf(11), 'cat')], full(floor));
    expect(told('a')).toEqual([`m:${sf(10)}`]);
    expect(told('b')).toEqual([`m:${sf(11)}`]);
    // b finished first: its result appears, its progress message is gone.
    router.applySnapshot([progress(sf(10), 'cat', 62), done(sf(20), 'cat', uuid(2))], full(floor));
    expect(told('b')).toEqual([`m:${sf(11)}`, `m:${sf(20)}`, `d:${sf(11)}`]);
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(10)}`]);
  });

  it('over the gateway, holds a result until the deciding deletion arrives', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    add({ id: 'b', prompt: 'cat', seq: 2 });
    router.handleMessage(waiting(sf(10), 'cat'), 'gateway');
    router.handleMessage(waiting(sf(11), 'cat'), 'gateway');
    router.handleMessage(done(sf(20), 'cat', uuid(2)), 'gateway');
    expect(router.hasDeferred()).toBe(true);
    expect(told('a')).toHaveLength(1);
    router.handleDelete(sf(11), 'gateway');
    expect(router.hasDeferred()).toBe(false);
    expect(told('b')).toEqual([`m:${sf(11)}`, `d:${sf(11)}`, `m:${sf(20)}`]);
    expect(told('a')).toEqual([`m:${sf(10)}`]);
  });

  it('decides a deferred result by submission order once deferring no longer helps', () => {
    const { router, add, told, advance } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    add({ id: 'b', prompt: 'cat', seq: 2 });
    router.handleMessage(waiting(sf(10), 'cat'), 'gateway');
    router.handleMessage(waiting(sf(11), 'cat'), 'gateway');
    router.handleMessage(done(sf(20), 'cat', uuid(2)), 'gateway');
    router.resolveDeferred(0);
    expect(router.hasDeferred()).toBe(true);
    advance(2_000);
    router.resolveDeferred(1_500);
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(20)}`]);
  });

  it('reports a bound message missing from a complete poll as deleted, but not outside the covered range nor ephemeral ones', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    add({ id: 'b', prompt: 'dog', seq: 2 });
    router.handleMessage(waiting(sf(10), 'cat'), 'poll');
    router.handleMessage({ ...notice(sf(12), 'Job queued', 'dog'), flags: 64 }, 'gateway');
    router.handleMessage(waiting(sf(30), 'dog'), 'poll');
    // The page ran out at sf(20): sf(30) was not covered, the ephemeral sf(12) is never listed.
    router.applySnapshot([], { floor: sf(1), complete: false, newestId: sf(20) });
    expect(told('a')).toEqual([`m:${sf(10)}`, `d:${sf(10)}`]);
    expect(told('b')).toEqual([`m:${sf(12)}`, `m:${sf(30)}`]);
  });

  it('takes no deletion and no stale copy from a read that started before a gateway dispatch bound or changed the message', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    router.handleMessage(waiting(sf(10), 'cat'), 'gateway');
    // A catch-up read starts; while it is in flight the gateway brings progress and the result.
    const readFrom = router.mark();
    router.handleMessage(progress(sf(10), 'cat', 62, 2), 'gateway');
    router.handleMessage(done(sf(20), 'cat', uuid(2)), 'gateway');
    // The read answers with the channel as it was when it started: the waiting message only.
    router.applySnapshot([waiting(sf(10), 'cat')], { ...full(sf(1)), readFrom });
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(10)}`, `m:${sf(20)}`]);
    // The next read, started after both, is evidence again: the result's absence is a deletion.
    const next = router.mark();
    router.applySnapshot([progress(sf(10), 'cat', 62, 2)], { ...full(sf(1)), readFrom: next });
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(10)}`, `m:${sf(20)}`, `d:${sf(20)}`]);
  });

  it("forgets a job's messages when it is removed and fails every job on a fatal error", () => {
    const { router, add, told } = setup();
    const a = add({ id: 'a', prompt: 'cat' });
    add({ id: 'b', prompt: 'dog' });
    router.handleMessage(waiting(sf(10), 'cat'), 'poll');
    a.remove();
    expect(router.size).toBe(1);
    router.handleMessage(progress(sf(10), 'cat', 50), 'poll');
    router.failAll(new Error('token revoked'));
    expect(told('a')).toEqual([`m:${sf(10)}`]);
    expect(told('b')).toEqual(['fatal']);
  });

  it('routes interaction events by nonce and records the interaction id', () => {
    const { router, add, told } = setup();
    const a = add({ id: 'a', prompt: 'cat', nonce: sf(77) });
    router.handleInteraction('success', sf(78), sf(1));
    router.handleInteraction('success', sf(77), sf(2));
    expect(told('a')).toEqual(['interaction']);
    expect(a.correlation.interactionId).toBe(sf(2));
  });

  it('merges a partial gateway update over the last version seen', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat' });
    router.handleMessage(waiting(sf(10), 'cat'), 'gateway');
    router.handleUpdate(
      { id: sf(10), channel_id: CHANNEL_ID, content: `**cat** - <@${USER_ID}> (15%) (fast)` },
      'gateway',
    );
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(10)}`]);
  });
});

describe('ChannelRouter after a job ends', () => {
  it("never hands a finished job's messages to another job, though polls still list them", () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    const b = add({ id: 'b', prompt: 'cat', seq: 2 });
    router.applySnapshot([waiting(sf(10), 'cat'), waiting(sf(11), 'cat')], full(sf(1)));
    router.applySnapshot([progress(sf(10), 'cat', 50), done(sf(20), 'cat', uuid(2))], full(sf(1)));
    expect(told('b')).toContain(`m:${sf(20)}`);
    b.remove();
    router.applySnapshot([progress(sf(10), 'cat', 78), done(sf(20), 'cat', uuid(2))], full(sf(9)));
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(10)}`, `m:${sf(10)}`]);
  });

  it("holds a refusal without a footer until a job's own first message leaves one candidate", () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    add({ id: 'b', prompt: 'dog', seq: 2 });
    const floor = sf(1);
    // The refusal (interaction 900) lands before either job showed anything: a or b.
    router.applySnapshot([bareRefusal(sf(10), sf(900))], full(floor));
    expect(router.hasDeferred()).toBe(true);
    router.resolveDeferred(Number.POSITIVE_INFINITY);
    expect([told('a'), told('b')]).toEqual([[], []]);
    // b starts: its waiting message reveals interaction 901, so the refusal was a's.
    router.applySnapshot(
      [bareRefusal(sf(10), sf(900)), { ...waiting(sf(11), 'dog'), ...answers(sf(901)) }],
      full(floor),
    );
    expect(told('a')).toEqual([`m:${sf(10)}`]);
    expect(told('b')).toEqual([`m:${sf(11)}`]);
    expect(router.hasDeferred()).toBe(false);
  });

  it('never guesses: a held refusal stays unassigned when a candidate ends without a message', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    const b = add({ id: 'b', prompt: 'dog', seq: 2 });
    router.handleMessage(bareRefusal(sf(10), sf(900)), 'poll');
    expect(told('a')).toEqual([]);
    // b reached its deadline having shown nothing: the refusal may have been b's.
    b.remove();
    router.applySnapshot([bareRefusal(sf(10), sf(900))], full(sf(1)));
    router.resolveDeferred(Number.POSITIVE_INFINITY);
    expect(told('a')).toEqual([]);
    expect(router.hasDeferred()).toBe(false);
  });

  it('decides a held refusal when the other candidate ends after its own first message', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    const b = add({ id: 'b', prompt: 'dog', seq: 2 });
    router.handleMessage(bareRefusal(sf(10), sf(900)), 'poll');
    router.handleMessage({ ...waiting(sf(11), 'dog'), ...answers(sf(901)) }, 'poll');
    b.remove();
    expect(told('a')).toEqual([`m:${sf(10)}`]);
  });

  it('learns the interaction id from the gateway and from bound messages', () => {
    const { router, add, told } = setup();
    const a = add({ id: 'a', prompt: 'cat', seq: 1, nonce: sf(501) });
    const b = add({ id: 'b', prompt: 'cat', seq: 2, nonce: sf(502) });
    router.handleInteraction('created', b.correlation.nonce, sf(902));
    router.handleMessage(
      { ...waiting(sf(10), 'cat'), nonce: a.correlation.nonce, ...answers(sf(901)) },
      'gateway',
    );
    expect(a.correlation.interactionId).toBe(sf(901));
    // No nonce, no footer: the interaction id decides between two identical prompts.
    router.handleMessage(bareRefusal(sf(11), sf(902)), 'gateway');
    router.handleMessage(bareRefusal(sf(12), sf(901)), 'gateway');
    expect(told('a')).toEqual([`m:${sf(10)}`, `m:${sf(12)}`]);
    expect(told('b')).toEqual(['interaction', `m:${sf(11)}`]);
  });

  it('delivers a held notice once, when a later poll lists it again and decides it', () => {
    const { router, add, told } = setup();
    add({ id: 'a', prompt: 'cat', seq: 1 });
    add({ id: 'b', prompt: 'dog', seq: 2 });
    const floor = sf(1);
    router.applySnapshot([bareRefusal(sf(10), sf(900))], full(floor));
    router.applySnapshot(
      [bareRefusal(sf(10), sf(900)), { ...waiting(sf(11), 'dog'), ...answers(sf(901)) }],
      full(floor),
    );
    router.resolveDeferred(Number.POSITIVE_INFINITY);
    router.applySnapshot(
      [bareRefusal(sf(10), sf(900)), { ...waiting(sf(11), 'dog'), ...answers(sf(901)) }],
      full(floor),
    );
    expect(told('a')).toEqual([`m:${sf(10)}`]);
  });
});
