import { describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { type CorrelationContext, type CorrelationJob, correlate } from '../../src/generation/correlation.js';
import {
  done,
  job,
  message,
  notice,
  OTHER_USER_ID,
  parsed,
  progress,
  sf,
  USER_ID,
  upscaled,
  uuid,
  variations,
  waiting,
} from './fixtures.js';

function decide(m: APIMessage, jobs: CorrelationJob[], context: Partial<CorrelationContext> = {}) {
  return correlate({ message: m, parsed: parsed(m) }, jobs, {
    userId: USER_ID,
    boundTo: () => undefined,
    final: false,
    ...context,
  });
}

describe('correlate: strong evidence first', () => {
  it('matches the nonce Discord echoes on the first message over the gateway', () => {
    const jobs = [
      job({ id: 'a', prompt: 'cat', seq: 1 }),
      job({ id: 'b', prompt: 'cat', seq: 2, nonce: sf(42) }),
    ];
    expect(decide(waiting(sf(10), 'cat', USER_ID), jobs, {}).type).toBe('match');
    expect(decide({ ...waiting(sf(10), 'cat'), nonce: sf(42) }, jobs)).toEqual({
      type: 'match',
      jobId: 'b',
      reason: 'nonce',
    });
  });

  it("never matches on text a message that carries someone else's nonce", () => {
    const jobs = [job({ id: 'a', prompt: 'cat' })];
    expect(decide({ ...waiting(sf(10), 'cat'), nonce: sf(999) }, jobs)).toEqual({ type: 'none' });
  });

  it('matches the interaction id the gateway reported for our nonce', () => {
    const jobs = [job({ id: 'a', prompt: 'dog' }), job({ id: 'b', prompt: 'cat', interactionId: sf(77) })];
    const m = notice(sf(10), 'Queue full', 'something else', {
      interaction_metadata: {
        id: sf(77),
        type: 2,
        user: { id: USER_ID, username: 'u', global_name: null, discriminator: '0', avatar: null },
      },
    });
    expect(decide(m, jobs)).toEqual({ type: 'match', jobId: 'b', reason: 'interaction' });
  });

  it('keeps a bound message with its job (edits) and joins replies to a job message', () => {
    const jobs = [job({ id: 'a', prompt: 'cat' }), job({ id: 'b', prompt: 'cat' })];
    expect(
      decide(progress(sf(10), 'cat', 50), jobs, { boundTo: (id) => (id === sf(10) ? 'b' : undefined) }),
    ).toEqual({
      type: 'match',
      jobId: 'b',
      reason: 'message-id',
    });
    const outage = notice(sf(20), 'Sorry! Could not complete the job!', 'cat', {
      message_reference: { message_id: sf(10) },
    });
    expect(decide(outage, jobs, { replyOwner: (id) => (id === sf(10) ? 'b' : undefined) })).toEqual({
      type: 'match',
      jobId: 'b',
      reason: 'reply',
    });
  });

  it('takes a result whose job UUID a job already revealed, and no other', () => {
    const jobs = [
      job({ id: 'a', prompt: 'cat', seq: 1, started: true, midjourneyJobId: uuid(1) }),
      job({ id: 'b', prompt: 'cat', seq: 2, started: true, midjourneyJobId: uuid(2) }),
    ];
    expect(decide(done(sf(10), 'cat', uuid(2)), jobs)).toMatchObject({ jobId: 'b', reason: 'job-id' });
    expect(decide(done(sf(11), 'cat', uuid(3)), jobs)).toEqual({ type: 'none' });
  });
});

describe('correlate: text rules', () => {
  const one = [job({ id: 'a', prompt: 'a red fox --ar 3:2', afterMessageId: sf(5) })];

  it.each([
    ['the echo with parameters reformatted', waiting(sf(10), 'a red fox --ar 3:2 --v 6'), 'match'],
    ['a different prompt', waiting(sf(10), 'a blue fox --ar 3:2'), 'none'],
    ['another user', waiting(sf(10), 'a red fox --ar 3:2', OTHER_USER_ID), 'none'],
    ['a message before the recorded last message', waiting(sf(4), 'a red fox --ar 3:2'), 'none'],
    // The boundary is strict: the recorded message itself was in the channel before the job.
    ['the recorded last message itself', waiting(sf(5), 'a red fox --ar 3:2'), 'none'],
    ['the first message after the recorded one', waiting(sf(6), 'a red fox --ar 3:2'), 'match'],
    [
      'a message not from Midjourney',
      {
        ...waiting(sf(10), 'a red fox --ar 3:2'),
        author: { id: USER_ID, username: 'u', global_name: null, discriminator: '0', avatar: null },
      },
      'none',
    ],
    ['noise', message(sf(10), { content: 'Displaying...' }), 'none'],
    ['a notice through its /imagine footer', notice(sf(10), 'Queue full', 'a red fox --ar 3:2'), 'match'],
  ] as const)('%s -> %s', (_name, m, expected) => {
    expect(decide(m, one).type).toBe(expected);
  });

  it('does not match on text when our user id is unknown', () => {
    expect(decide(waiting(sf(10), 'a red fox --ar 3:2'), one, { userId: undefined })).toEqual({
      type: 'none',
    });
  });

  it('never resolves ambiguity across different prompts', () => {
    const jobs = [job({ id: 'a', prompt: 'cat', seq: 1 }), job({ id: 'b', prompt: 'dog', seq: 2 })];
    expect(decide(waiting(sf(10), 'dog'), jobs)).toMatchObject({ jobId: 'b' });
    expect(decide(done(sf(11), 'cat', uuid(1)), jobs)).toMatchObject({ jobId: 'a' });
    expect(decide(done(sf(12), 'bird', uuid(2)), jobs)).toEqual({ type: 'none' });
  });
});

describe('correlate: two jobs with the same prompt', () => {
  it('gives first messages to jobs in submission order', () => {
    const a = job({ id: 'a', prompt: 'cat', seq: 1 });
    const b = job({ id: 'b', prompt: 'cat', seq: 2 });
    expect(decide(waiting(sf(10), 'cat'), [b, a])).toMatchObject({ jobId: 'a' });
    a.started = true;
    expect(decide(waiting(sf(11), 'cat'), [b, a])).toMatchObject({ jobId: 'b' });
  });

  it('gives a result to the job whose progress message it replaced, even when that job was second', () => {
    const a = job({ id: 'a', prompt: 'cat', seq: 1, started: true });
    const b = job({ id: 'b', prompt: 'cat', seq: 2, started: true, replaced: true });
    expect(decide(done(sf(20), 'cat', uuid(2)), [a, b])).toMatchObject({ type: 'match', jobId: 'b' });
  });

  it('defers a result while no progress message has vanished, then falls back to submission order', () => {
    const a = job({ id: 'a', prompt: 'cat', seq: 1, started: true });
    const b = job({ id: 'b', prompt: 'cat', seq: 2, started: true });
    expect(decide(done(sf(20), 'cat', uuid(2)), [a, b])).toEqual({
      type: 'defer',
      jobIds: ['a', 'b'],
      waitingFor: 'deletion',
    });
    expect(decide(done(sf(20), 'cat', uuid(2)), [a, b], { final: true })).toMatchObject({
      type: 'match',
      jobId: 'a',
    });
  });

  it('skips jobs that already hold a result', () => {
    const a = job({ id: 'a', prompt: 'cat', seq: 1, started: true, hasResult: true });
    const b = job({ id: 'b', prompt: 'cat', seq: 2, started: true });
    expect(decide(done(sf(20), 'cat', uuid(2)), [a, b])).toMatchObject({ jobId: 'b' });
  });

  it('sends a notice to the job that died (progress vanished), else to the one not started', () => {
    const a = job({ id: 'a', prompt: 'cat', seq: 1, started: true });
    const b = job({ id: 'b', prompt: 'cat', seq: 2 });
    expect(decide(notice(sf(20), 'Queue full', 'cat'), [a, b])).toMatchObject({ jobId: 'b' });
    a.replaced = true;
    expect(decide(notice(sf(21), 'Request cancelled due to output filters', 'cat'), [a, b])).toMatchObject({
      jobId: 'a',
    });
  });
});

describe('correlate: button jobs', () => {
  const grid = sf(5);

  it('gives "Image #n" to the upscale of that image, never to a grid job', () => {
    const jobs = [
      job({ id: 'imagine', prompt: 'cat', seq: 1, started: true }),
      job({ id: 'u1', prompt: 'cat', seq: 2, kind: 'upscale', imageIndex: 1, sourceMessageId: grid }),
      job({ id: 'u3', prompt: 'cat', seq: 3, kind: 'upscale', imageIndex: 3, sourceMessageId: grid }),
    ];
    expect(decide(upscaled(sf(10), 'cat', 3, uuid(9)), jobs)).toMatchObject({ jobId: 'u3' });
    expect(decide(upscaled(sf(11), 'cat', 1, uuid(8)), jobs)).toMatchObject({ jobId: 'u1' });
    expect(decide(done(sf(12), 'cat', uuid(7)), jobs)).toMatchObject({ jobId: 'imagine' });
  });

  it('prefers the job started from the message a reply refers to', () => {
    const jobs = [
      job({ id: 'from-x', prompt: 'cat', seq: 1, kind: 'upscale', imageIndex: 2, sourceMessageId: sf(1) }),
      job({ id: 'from-y', prompt: 'cat', seq: 2, kind: 'upscale', imageIndex: 2, sourceMessageId: sf(2) }),
    ];
    const m = upscaled(sf(10), 'cat', 2, uuid(1), { message_reference: { message_id: sf(2) } });
    expect(decide(m, jobs)).toMatchObject({ jobId: 'from-y' });
  });

  it('gives "Variations by" messages to the variation job over an imagine of the same prompt', () => {
    const jobs = [
      job({ id: 'imagine', prompt: 'cat', seq: 1, started: true }),
      job({ id: 'v2', prompt: 'cat', seq: 2, kind: 'variation', started: true }),
    ];
    expect(decide(variations(sf(10), 'cat', uuid(1)), jobs)).toMatchObject({ jobId: 'v2' });
  });
});

describe('correlate: two bots in one channel', () => {
  const MJ_ID = '936929561302675456';
  const NIJI_ID = '1022952195194359889';
  const byNiji = (m: APIMessage): APIMessage => ({
    ...m,
    author: { ...m.author, id: NIJI_ID, username: 'niji・journey Bot' },
  });

  it("gives a job only its own bot's messages, on every rule", () => {
    const jobs = [
      job({ id: 'mj', prompt: 'twin', seq: 1, botId: MJ_ID, nonce: sf(41), interactionId: sf(71) }),
      job({ id: 'niji', prompt: 'twin', seq: 2, botId: NIJI_ID }),
    ];
    // Text: the earliest same-prompt job would take the grid; niji's grid goes to the niji job.
    expect(decide(byNiji(done(sf(10), 'twin', uuid(1))), jobs)).toEqual({
      type: 'match',
      jobId: 'niji',
      reason: 'text',
    });
    expect(decide(done(sf(11), 'twin', uuid(2)), jobs)).toMatchObject({ type: 'match', jobId: 'mj' });
    // Nonce and interaction id of the Midjourney job, on a niji message: not the job's.
    expect(decide({ ...byNiji(waiting(sf(12), 'twin')), nonce: sf(41) }, jobs)).toEqual({ type: 'none' });
    const replyTo71 = byNiji(
      notice(sf(13), 'Queue full', 'other', {
        interaction_metadata: {
          id: sf(71),
          type: 2,
          user: { id: USER_ID, username: 'u', global_name: null, discriminator: '0', avatar: null },
        },
      }),
    );
    expect(decide(replyTo71, [jobs[0]!])).toEqual({ type: 'none' });
    // A reply to the Midjourney job's waiting message, by niji: not joined to it.
    const reply = byNiji(
      notice(sf(14), 'Sorry! Could not complete the job!', 'other', {
        message_reference: { message_id: sf(5) },
      }),
    );
    expect(decide(reply, [jobs[0]!], { replyOwner: (id) => (id === sf(5) ? 'mj' : undefined) })).toEqual({
      type: 'none',
    });
  });

  it('lets a job without a bot take either bot (older callers)', () => {
    expect(decide(byNiji(done(sf(10), 'cat', uuid(1))), [job({ id: 'a', prompt: 'cat' })])).toMatchObject({
      type: 'match',
      jobId: 'a',
    });
  });
});
