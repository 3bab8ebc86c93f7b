/**
 * The correlation rule over every shape of evidence Discord and Midjourney have been seen to send
 * (MIDJOURNEY.md §8–9): footer or none, `interaction_metadata` and/or the deprecated `interaction`,
 * the nonce or not, `message_reference` / `referenced_message` / `interacted_message_id`, with
 * several jobs of one user in flight, identical prompts included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { APIMessage, Snowflake } from '../../src/discord/types.js';
import {
  type CorrelationContext,
  type CorrelationJob,
  correlate,
  interactionOf,
} from '../../src/generation/correlation.js';
import { job, message, notice, OTHER_USER_ID, parsed, sf, USER_ID, waiting } from './fixtures.js';

type Via = 'metadata' | 'legacy' | 'both';

interface Reply {
  interactionId: string;
  /** 2 command, 3 button. */
  type?: 2 | 3;
  name?: string;
  user?: string;
  via?: Via;
  interacted?: string;
}

const userOf = (id: string) => ({
  id,
  username: 'u',
  global_name: null,
  discriminator: '0',
  avatar: null,
});

/** The interaction fields of a reply, in one of the shapes Discord sends. */
function replyFields(r: Reply): Partial<APIMessage> {
  const type = r.type ?? 2;
  const name = r.name ?? (type === 2 ? 'imagine' : undefined);
  const user = userOf(r.user ?? USER_ID);
  const fields: Partial<APIMessage> = {};
  const via = r.via ?? 'both';
  if (via !== 'legacy') {
    fields.interaction_metadata = {
      id: r.interactionId,
      type,
      user,
      authorizing_integration_owners: { '0': '1100000000000000100' },
      ...(name === undefined ? {} : { name }),
      ...(r.interacted === undefined ? {} : { interacted_message_id: r.interacted }),
    };
  }
  if (via !== 'metadata') fields.interaction = { id: r.interactionId, type, name: name ?? '', user };
  return fields;
}

/** A refusal: "Invalid parameter", with or without the footer, as a reply (no `<@id>` in content). */
function refusal(id: string, prompt: string, footer: boolean, fields: Partial<APIMessage> = {}): APIMessage {
  const m = notice(id, 'Invalid parameter', prompt, { mentions: [], ...fields });
  if (!footer) delete m.embeds[0]?.footer;
  return m;
}

function decide(m: APIMessage, jobs: CorrelationJob[], context: Partial<CorrelationContext> = {}) {
  return correlate({ message: m, parsed: parsed(m) }, jobs, {
    userId: USER_ID,
    boundTo: () => undefined,
    final: false,
    ...context,
  });
}

/**
 * Four jobs of one user, identical prompts; `a`, `b`, `c` started (their waiting message was
 * bound, so their interaction ids are known), `d` still waits for its first message.
 */
function fourInFlight(dInteractionKnown: boolean): CorrelationJob[] {
  return [
    job({ id: 'a', prompt: 'cat', seq: 1, started: true, interactionId: sf(101) }),
    job({ id: 'b', prompt: 'cat', seq: 2, started: true, interactionId: sf(102) }),
    job({ id: 'c', prompt: 'cat', seq: 3, started: true, interactionId: sf(103) }),
    job({
      id: 'd',
      prompt: 'cat',
      seq: 4,
      nonce: sf(504),
      ...(dInteractionKnown ? { interactionId: sf(104) } : {}),
    }),
  ];
}

describe('interactionOf', () => {
  it.each(['metadata', 'legacy', 'both'] as const)('reads the interaction from %s', (via) => {
    const m = message(sf(10), replyFields({ interactionId: sf(7), via }));
    expect(interactionOf(m)).toEqual({ id: sf(7), type: 2, name: 'imagine', userId: USER_ID });
  });

  it('reads interacted_message_id on button results', () => {
    const m = message(sf(10), replyFields({ interactionId: sf(7), type: 3, interacted: sf(3) }));
    expect(interactionOf(m)).toMatchObject({ type: 3, interactedMessageId: sf(3) });
  });

  it('is undefined on a message that answers no interaction', () => {
    expect(interactionOf(waiting(sf(10), 'cat'))).toBeUndefined();
  });
});

describe('a refusal among four jobs of one user with identical prompts', () => {
  // Every evidence variant: footer, interaction shape, nonce (gateway), interaction id known.
  const rows: [string, boolean, Via, boolean, boolean, string][] = [];
  for (const footer of [true, false]) {
    for (const via of ['metadata', 'legacy', 'both'] as const) {
      for (const withNonce of [false, true]) {
        for (const known of [false, true]) {
          const reason = withNonce ? 'nonce' : known ? 'interaction' : footer ? 'text' : 'sole-job';
          rows.push([
            `footer ${footer ? 'yes' : 'no'}, ${via}, nonce ${withNonce ? 'yes' : 'no'}, interaction id ${known ? 'known' : 'unknown'}`,
            footer,
            via,
            withNonce,
            known,
            reason,
          ]);
        }
      }
    }
  }

  it.each(rows)('%s -> d', (_name, footer, via, withNonce, known, reason) => {
    const m = refusal(sf(20), 'cat', footer, {
      ...replyFields({ interactionId: sf(104), via }),
      ...(withNonce ? { nonce: sf(504) } : {}),
    });
    expect(decide(m, fourInFlight(known))).toEqual({ type: 'match', jobId: 'd', reason });
  });
});

describe('rule 5: no prompt to read', () => {
  const bare = (id: string, r: Partial<Reply> = {}, fields: Partial<APIMessage> = {}) =>
    refusal(id, 'cat', false, { ...replyFields({ interactionId: sf(900), ...r }), ...fields });

  it.each<[string, () => CorrelationJob[], APIMessage, ReturnType<typeof decide>]>([
    [
      'the only job of that user and command waiting -> it',
      () => [job({ id: 'a', prompt: 'dog', afterMessageId: sf(5) })],
      bare(sf(10)),
      { type: 'match', jobId: 'a', reason: 'sole-job' },
    ],
    [
      // After a restart the channel may hold a notice of a job that ended in the process before.
      'the only job waiting was resumed after a restart -> none (never guessed)',
      () => [job({ id: 'a', prompt: 'dog', afterMessageId: sf(5), resumed: true })],
      bare(sf(10)),
      { type: 'none' },
    ],
    [
      "a resumed job and a live one waiting -> none (the notice may be a third, gone job's)",
      () => [
        job({ id: 'a', prompt: 'dog', afterMessageId: sf(5), seq: 1, resumed: true }),
        job({ id: 'b', prompt: 'owl', afterMessageId: sf(5), seq: 2 }),
      ],
      bare(sf(10)),
      { type: 'none' },
    ],
    [
      'a notice at the recorded last message id (not strictly after) -> none',
      () => [job({ id: 'a', prompt: 'dog', afterMessageId: sf(10) })],
      bare(sf(10)),
      { type: 'none' },
    ],
    [
      'another user -> none',
      () => [job({ id: 'a', prompt: 'dog' })],
      bare(sf(10), { user: OTHER_USER_ID }),
      { type: 'none' },
    ],
    [
      'another command -> none',
      () => [job({ id: 'a', prompt: 'dog' })],
      bare(sf(10), { name: 'describe' }),
      { type: 'none' },
    ],
    [
      'a job named by its own command -> it',
      () => [
        job({ id: 'a', prompt: 'dog', seq: 1 }),
        job({ id: 'b', prompt: 'x', seq: 2, command: 'describe' }),
      ],
      bare(sf(10), { name: 'describe' }),
      { type: 'match', jobId: 'b', reason: 'sole-job' },
    ],
    [
      'no interaction evidence at all -> none (nothing to go on)',
      () => [job({ id: 'a', prompt: 'dog' })],
      refusal(sf(10), 'cat', false, {
        mentions: [userOf(USER_ID)],
      }),
      { type: 'none' },
    ],
    [
      'two jobs waiting (identical prompts) -> defer, never a guess',
      () => [job({ id: 'a', prompt: 'cat', seq: 1 }), job({ id: 'b', prompt: 'cat', seq: 2 })],
      bare(sf(10)),
      { type: 'defer', jobIds: ['a', 'b'], waitingFor: 'first-message' },
    ],
    [
      'two jobs waiting, different prompts -> defer (no prompt to tell them apart)',
      () => [job({ id: 'a', prompt: 'cat', seq: 1 }), job({ id: 'b', prompt: 'dog', seq: 2 })],
      bare(sf(10)),
      { type: 'defer', jobIds: ['a', 'b'], waitingFor: 'first-message' },
    ],
    [
      'two jobs waiting, one of them sent after the notice -> the earlier one',
      () => [
        job({ id: 'a', prompt: 'cat', seq: 1, afterMessageId: sf(5) }),
        job({ id: 'b', prompt: 'cat', seq: 2, afterMessageId: sf(12) }),
      ],
      bare(sf(10)),
      { type: 'match', jobId: 'a', reason: 'sole-job' },
    ],
    [
      'a started job whose progress vanished (interaction unknown) and a waiting one -> defer',
      () => [
        job({ id: 'a', prompt: 'cat', seq: 1, started: true, replaced: true }),
        job({ id: 'b', prompt: 'cat', seq: 2 }),
      ],
      bare(sf(10)),
      { type: 'defer', jobIds: ['a', 'b'], waitingFor: 'first-message' },
    ],
    [
      'a job holding a result never takes a notice by rule 5',
      () => [job({ id: 'a', prompt: 'cat', hasResult: true, started: true, replaced: true })],
      bare(sf(10)),
      { type: 'none' },
    ],
    [
      'the plain-text failure (no embed, no prompt) -> the only job waiting',
      () => [job({ id: 'a', prompt: 'cat' })],
      message(sf(10), {
        content: 'Failed to process your command :c',
        ...replyFields({ interactionId: sf(900) }),
      }),
      { type: 'match', jobId: 'a', reason: 'sole-job' },
    ],
    [
      'an unknown interaction id while every job is known (gateway) -> none',
      () => [job({ id: 'a', prompt: 'cat', interactionId: sf(101) })],
      bare(sf(10)),
      { type: 'none' },
    ],
    [
      'someone else’s nonce -> none, whatever else fits',
      () => [job({ id: 'a', prompt: 'cat' })],
      bare(sf(10), {}, { nonce: sf(999) }),
      { type: 'none' },
    ],
  ])('%s', (_name, jobs, m, expected) => {
    expect(decide(m, jobs())).toEqual(expected);
  });

  it('holds the notice even when nothing more is expected (final)', () => {
    const jobs = [job({ id: 'a', prompt: 'cat', seq: 1 }), job({ id: 'b', prompt: 'dog', seq: 2 })];
    expect(decide(bare(sf(10)), jobs, { final: true })).toMatchObject({ type: 'defer' });
  });

  it('with several waiting jobs, the footer does not license a guess either', () => {
    const jobs = [job({ id: 'a', prompt: 'cat', seq: 1 }), job({ id: 'b', prompt: 'cat', seq: 2 })];
    const m = refusal(sf(10), 'cat', true, replyFields({ interactionId: sf(900) }));
    expect(decide(m, jobs)).toEqual({ type: 'defer', jobIds: ['a', 'b'], waitingFor: 'first-message' });
  });
});

describe('button results: interacted_message_id, message_reference, referenced_message', () => {
  const jobs = () => [
    job({ id: 'imagine', prompt: 'cat', seq: 1 }),
    job({ id: 'u-x', prompt: 'cat', seq: 2, kind: 'upscale', imageIndex: 2, sourceMessageId: sf(1) }),
    job({ id: 'u-y', prompt: 'cat', seq: 3, kind: 'upscale', imageIndex: 2, sourceMessageId: sf(2) }),
  ];
  const restricted = (fields: Partial<APIMessage>) =>
    message(sf(10), {
      type: 19,
      embeds: [{ type: 'rich', title: 'Job action restricted', description: 'no', color: 16_711_680 }],
      ...fields,
    });

  it.each<[string, Partial<APIMessage>, string]>([
    ['interacted_message_id', replyFields({ interactionId: sf(900), type: 3, interacted: sf(2) }), 'u-y'],
    [
      'message_reference',
      { ...replyFields({ interactionId: sf(900), type: 3 }), message_reference: { message_id: sf(1) } },
      'u-x',
    ],
    [
      'referenced_message only',
      {
        ...replyFields({ interactionId: sf(900), type: 3, via: 'legacy' }),
        referenced_message: message(sf(2)),
      },
      'u-y',
    ],
  ])('a refusal of a button press goes to the job of that source message (%s)', (_n, fields, owner) => {
    expect(decide(restricted(fields), jobs())).toEqual({ type: 'match', jobId: owner, reason: 'sole-job' });
  });

  it('a button reply never goes to an imagine job, nor a command reply to a button job', () => {
    const only = [job({ id: 'imagine', prompt: 'cat' })];
    expect(decide(restricted(replyFields({ interactionId: sf(900), type: 3 })), only)).toEqual({
      type: 'none',
    });
    const button = [job({ id: 'u', prompt: 'cat', kind: 'upscale', imageIndex: 1, sourceMessageId: sf(1) })];
    expect(decide(refusal(sf(10), 'cat', false, replyFields({ interactionId: sf(900) })), button)).toEqual({
      type: 'none',
    });
  });

  it('a reply that refers to a job’s own progress message joins it, through referenced_message too', () => {
    const two = [
      job({ id: 'a', prompt: 'cat', seq: 1, started: true }),
      job({ id: 'b', prompt: 'cat', seq: 2, started: true }),
    ];
    const outage = refusal(sf(20), 'cat', false, { referenced_message: message(sf(11)) });
    expect(decide(outage, two, { replyOwner: (id) => (id === sf(11) ? 'b' : undefined) })).toEqual({
      type: 'match',
      jobId: 'b',
      reason: 'reply',
    });
  });
});

describe('interaction ids narrow the text rule', () => {
  it('a waiting message with a known interaction id skips same-prompt jobs known by another id', () => {
    const jobs = [
      job({ id: 'a', prompt: 'cat', seq: 1, interactionId: sf(101) }),
      job({ id: 'b', prompt: 'cat', seq: 2 }),
    ];
    const m = waiting(sf(10), 'cat');
    Object.assign(m, replyFields({ interactionId: sf(102) }));
    expect(decide(m, jobs)).toEqual({ type: 'match', jobId: 'b', reason: 'text' });
  });

  it('a later message without the nonce is decided by interaction_metadata.id', () => {
    const jobs = [
      job({ id: 'a', prompt: 'cat', seq: 1, interactionId: sf(101) }),
      job({ id: 'b', prompt: 'cat', seq: 2, interactionId: sf(102) }),
    ];
    const m = refusal(sf(10), 'cat', false, replyFields({ interactionId: sf(102), via: 'metadata' }));
    expect(decide(m, jobs)).toEqual({ type: 'match', jobId: 'b', reason: 'interaction' });
  });
});

describe('property: a refusal never reaches another job, and reaches its own once the rest is known', () => {
  const arbitraryJob = fc.record({
    prompt: fc.constantFrom('cat', 'dog'),
    started: fc.boolean(),
    known: fc.boolean(),
  });
  const scenario = fc.record({
    others: fc.array(arbitraryJob, { maxLength: 5 }),
    ownerPrompt: fc.constantFrom('cat', 'dog'),
    ownerKnown: fc.boolean(),
    ownerAt: fc.nat(5),
    footer: fc.boolean(),
    withNonce: fc.boolean(),
    via: fc.constantFrom<Via>('metadata', 'legacy', 'both'),
  });

  it('holds for every mix of evidence and jobs in flight', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const specs = [...s.others];
        const at = Math.min(s.ownerAt, specs.length);
        specs.splice(at, 0, { prompt: s.ownerPrompt, started: false, known: s.ownerKnown });
        // A started job showed its first message, which carried its interaction id.
        const jobs = specs.map((spec, i) =>
          job({
            id: `j${i}`,
            prompt: spec.prompt,
            seq: i,
            nonce: sf(500 + i),
            started: spec.started,
            ...(spec.known || spec.started ? { interactionId: sf(100 + i) } : {}),
          }),
        );
        const m = refusal(sf(50), s.ownerPrompt, s.footer, {
          ...replyFields({ interactionId: sf(100 + at), via: s.via }),
          ...(s.withNonce ? { nonce: sf(500 + at) } : {}),
        });
        const decision = decide(m, jobs);
        const owner = `j${at}`;
        if (decision.type === 'match') expect(decision.jobId).toBe(owner);
        if (decision.type === 'defer') expect(decision.jobIds).toContain(owner);
        const othersUnknown = jobs.some((j) => j.id !== owner && j.interactionId === undefined);
        if (!othersUnknown || s.withNonce || s.ownerKnown) {
          expect(decision).toMatchObject({ type: 'match', jobId: owner });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the order of interactions (ids grow with submission order)', () => {
  const four = () => [1, 2, 3, 4].map((i) => job({ id: `j${i}`, prompt: 'cat', seq: i, nonce: sf(500 + i) }));

  it.each<[string, () => CorrelationJob[], APIMessage, Snowflake[], ReturnType<typeof decide>]>([
    [
      'a first message after a held refusal with a smaller id skips the earliest job',
      four,
      Object.assign(waiting(sf(20), 'cat'), replyFields({ interactionId: sf(102) })),
      [sf(101)],
      { type: 'match', jobId: 'j2', reason: 'text' },
    ],
    [
      'a refusal whose id is below a later job’s known id goes to the only earlier waiting job',
      () => [
        job({ id: 'a', prompt: 'cat', seq: 1 }),
        job({ id: 'b', prompt: 'cat', seq: 2, started: true, interactionId: sf(102) }),
        job({ id: 'c', prompt: 'cat', seq: 3 }),
      ],
      refusal(sf(20), 'cat', false, replyFields({ interactionId: sf(101) })),
      [],
      { type: 'match', jobId: 'a', reason: 'sole-job' },
    ],
    [
      'a refusal whose id is above an earlier job’s known id skips the jobs before it',
      () => [
        job({ id: 'a', prompt: 'cat', seq: 1 }),
        job({ id: 'b', prompt: 'cat', seq: 2, started: true, interactionId: sf(102) }),
        job({ id: 'c', prompt: 'cat', seq: 3 }),
      ],
      refusal(sf(20), 'cat', false, replyFields({ interactionId: sf(103) })),
      [],
      { type: 'match', jobId: 'c', reason: 'sole-job' },
    ],
    [
      'an id above that of a job submitted later fits no earlier job -> none',
      () => [
        job({ id: 'a', prompt: 'cat', seq: 1 }),
        job({ id: 'b', prompt: 'cat', seq: 2, interactionId: sf(100) }),
      ],
      refusal(sf(20), 'cat', false, replyFields({ interactionId: sf(101) })),
      [sf(100)],
      { type: 'none' },
    ],
  ])('%s', (_name, jobs, m, held, expected) => {
    expect(decide(m, jobs(), { heldInteractionIds: held })).toEqual(expected);
  });
});
