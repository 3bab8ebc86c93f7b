/**
 * Property-based fuzzing of every POST route's body (fast-check, through Fastify's `inject`):
 * arbitrary JSON (deep, large, wrong types, odd unicode, `__proto__` / `constructor` keys) and
 * bodies that are not JSON at all. Whatever arrives, the service answers 2xx for valid input or a
 * 4xx (503 when it is busy) in the route's documented envelope, never 500, never pollutes
 * Object.prototype, and never leaves an unhandled rejection behind.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../src/service/app.js';
import { FakeGenerator } from './helpers/fake-generator.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

let service: Service;
let succeededId = '';

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // Jobs complete at once, so the action routes also see a succeeded source now and then.
  const generator = new FakeGenerator({ script: (job) => void job.complete() });
  service = await buildService({
    generator,
    config: {
      authDisabled: true,
      apiKeys: [],
      bodyLimitBytes: 16_384,
      maxActiveJobs: 1_000_000,
      rateLimit: { requests: 1e9, windowMs: 1_000, burst: 1e9 },
      submitRateLimit: { requests: 1e9, windowMs: 1_000, burst: 1e9 },
    },
  });
  const reply = await service.app.inject({
    method: 'POST',
    url: '/v1/imagine',
    payload: { prompt: 'source' },
  });
  succeededId = reply.json().id;
  await service.runner.idle();
});

afterAll(async () => {
  await service.close();
  process.off('unhandledRejection', onUnhandled);
});

/** Keys that have meant trouble for JS objects built from JSON. */
const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '');
const oddString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\udfff',
    '\u202e',
    '\ufeff',
    '   ',
    '%00',
    '{{',
    '$' + '{x}',
    'U1',
    'reroll',
  ),
);
const leaf = fc.oneof(
  oddString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(1e308, -0, 2 ** 53 + 1),
);
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc
    .array(fc.tuple(fc.oneof(nastyKey, oddString), tie('value')), { maxLength: 5 })
    .map((entries) => Object.fromEntries(entries)),
})).value;

/** `[[[...]]]` or `{"a":{"a":...}}` nested `depth` levels, as text. */
const deepText = fc
  // Unbiased, plus the depths that matter: either side of the limits, and past the stack.
  .tuple(
    fc.oneof(fc.constantFrom(16, 17, 32, 33, 2_000, 5_000), fc.noBias(fc.integer({ min: 1, max: 5_000 }))),
    fc.boolean(),
  )
  .map(([depth, array]) =>
    array ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** A body in the shape a route expects, with fields swapped for anything. */
const fieldsOf = (names: readonly string[]) =>
  fc
    .array(
      fc.tuple(fc.oneof(fc.constantFrom(...names), nastyKey, oddString), fc.oneof(anyJson, fc.constant('x'))),
      {
        maxLength: 6,
      },
    )
    .map((entries) => JSON.stringify(Object.fromEntries(entries)));

const deepBody = fc.oneof(
  deepText,
  deepText.map((deep) => `{"prompt":"x","metadata":${deep}}`),
  deepText.map((deep) => `{"action":"U1","metadata":{"a":${deep}}}`),
  deepText.map((deep) => `{"prompt":"x","state":${deep}}`),
);

const jsonBody = (names: readonly string[]) =>
  fc.oneof(
    anyJson.map((v) => JSON.stringify(v) ?? 'null'),
    fieldsOf(names),
    deepBody,
    deepBody,
    fc.string({ minLength: 16_000, maxLength: 20_000 }).map((s) => JSON.stringify({ prompt: s })),
    fc.constantFrom(
      '{"__proto__":{"polluted":1},"prompt":"x"}',
      '{"constructor":{"prototype":{"polluted":1}},"prompt":"x"}',
      '{"prompt":"x","metadata":{"__proto__":{"polluted":1}}}',
      '{"prompt":"x","metadata":{"constructor":{"prototype":{"polluted":1}}}}',
      '{"prompt":"x"} trailing',
      '{"prompt":"\\ud800"}',
      '',
      'null',
      '[]',
      '"x"',
    ),
  );

const anyBody = (names: readonly string[]) =>
  fc.record({
    payload: fc.oneof(
      { weight: 4, arbitrary: jsonBody(names) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      },
    ),
    contentType: fc.oneof(
      { weight: 5, arbitrary: fc.constant('application/json') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/json; charset=latin1',
          'APPLICATION/JSON',
          ';;;',
          'application/',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  });

interface Route {
  url: () => string;
  fields: readonly string[];
  shape: 'v1' | 'proxy';
}

const ROUTES: Record<string, Route> = {
  'POST /v1/imagine': { url: () => '/v1/imagine', fields: ['prompt', 'webhookUrl', 'metadata'], shape: 'v1' },
  'POST /v1/jobs/:id/actions': {
    url: () => `/v1/jobs/${succeededId}/actions`,
    fields: ['action', 'webhookUrl', 'metadata'],
    shape: 'v1',
  },
  'POST /mj/submit/imagine': {
    url: () => '/mj/submit/imagine',
    fields: ['prompt', 'base64', 'base64Array', 'notifyHook', 'state'],
    shape: 'proxy',
  },
  'POST /mj/submit/change': {
    url: () => '/mj/submit/change',
    fields: ['taskId', 'action', 'index', 'notifyHook', 'state'],
    shape: 'proxy',
  },
  'POST /mj/submit/simple-change': {
    url: () => '/mj/submit/simple-change',
    fields: ['content', 'notifyHook', 'state'],
    shape: 'proxy',
  },
  'POST /mj/submit/action': {
    url: () => '/mj/submit/action',
    fields: ['taskId', 'customId', 'notifyHook', 'state'],
    shape: 'proxy',
  },
  'POST /mj/task/list-by-condition': {
    url: () => '/mj/task/list-by-condition',
    fields: ['ids'],
    shape: 'proxy',
  },
  'POST /mj/task/list-by-ids': { url: () => '/mj/task/list-by-ids', fields: ['ids'], shape: 'proxy' },
};

const statusOk = (status: number) =>
  (status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503;

describe('POST bodies, fuzzed', () => {
  it.each(
    Object.entries(ROUTES),
  )('%s answers 2xx or 4xx in its envelope, never 500', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(anyBody(route.fields), async ({ payload, contentType }) => {
        const reply = await service.app.inject({
          method: 'POST',
          url: route.url(),
          headers: contentType === undefined ? {} : { 'content-type': contentType },
          payload,
        });
        expect(statusOk(reply.statusCode), `${reply.statusCode} ${reply.body.slice(0, 300)}`).toBe(true);
        const body = reply.json();
        if (reply.statusCode >= 400) {
          if (route.shape === 'v1') {
            expect(body).toEqual({
              error: expect.objectContaining({
                name: expect.any(String),
                code: expect.stringMatching(/^[A-Z_]+$/),
                message: expect.any(String),
              }),
            });
          } else {
            expect(body).toMatchObject({
              code: expect.any(Number),
              description: expect.any(String),
              properties: { errorCode: expect.stringMatching(/^[A-Z_]+$/) },
            });
          }
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 60, seed: 20_251_129, endOnFailure: true },
    );
  });

  it('left no unhandled rejection and the runner settled', async () => {
    await service.runner.idle();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
