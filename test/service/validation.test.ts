import { afterEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

describe('request validation', () => {
  it('answers 400 listing every field problem of a bad body', async () => {
    t = await startTestService();
    const reply = await t.alice.post('/v1/imagine', {
      prompt: 42,
      webhookUrl: '',
      metadata: 'x',
      colour: 'red',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ name: 'RequestValidationError', code: 'VALIDATION_FAILED' });
    expect([...reply.body.error.problems].sort()).toEqual(
      [
        'body.colour: is not an accepted field',
        'body.prompt: must be string',
        'body.webhookUrl: must NOT have fewer than 1 characters',
        'body.metadata: must be object',
      ].sort(),
    );
    expect(t.generator.calls).toHaveLength(0);
  });

  it('names a missing or blank prompt', async () => {
    t = await startTestService();
    expect((await t.alice.post('/v1/imagine', {})).body.error.problems).toEqual(['body.prompt: is required']);
    expect((await t.alice.post('/v1/imagine', { prompt: '   ' })).body.error.problems).toEqual([
      'body.prompt: must not be blank',
    ]);
  });

  it('refuses malformed JSON with 400 and a body that is not JSON with 415', async () => {
    t = await startTestService();
    const broken = await t.alice.post('/v1/imagine', '{"prompt": ');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('VALIDATION_FAILED');
    const text = await t.alice.post('/v1/imagine', 'prompt=cat', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'text/plain' });
  });

  it('answers 413 for a body over the limit, before it reaches the generator', async () => {
    t = await startTestService({ config: { bodyLimitBytes: 2_048 } });
    const reply = await t.alice.post('/v1/imagine', { prompt: 'x'.repeat(3_000) });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toMatchObject({
      name: 'BodyTooLargeError',
      code: 'BODY_TOO_LARGE',
      limitBytes: 2_048,
    });
    expect(t.generator.calls).toHaveLength(0);
  });

  it('validates path parameters', async () => {
    t = await startTestService();
    const reply = await t.alice.get('/v1/jobs/not-an-id');
    expect(reply.status).toBe(400);
    expect(reply.body.error.problems).toEqual(['params.id: must match pattern "^\\d{16}$"']);
  });
});
