/**
 * Fastify's and Node's own refusals answer in the documented envelope and never repeat the
 * request: every probe carries MARKER, and no answer may contain it.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';

const MARKER = 'ZQXMARKER';

let t: TestService;
afterEach(async () => t?.close());

/** Sends raw bytes and reads the whole answer (the server closes the connection). */
function raw(url: string, request: string): Promise<{ status: number; body: string; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4), text });
    });
  });
}

const envelope = (code: string) => ({
  error: expect.objectContaining({ code, name: expect.any(String), message: expect.any(String) }),
});

describe('framework errors in the envelope', () => {
  it.each([
    ['a path parameter over the length limit', `/v1/jobs/${MARKER.repeat(20)}`, 414, 'URI_TOO_LONG'],
    ['malformed percent-encoding', `/v1/jobs/%zz${MARKER}`, 400, 'BAD_REQUEST'],
    [
      'malformed percent-encoding on the proxy routes',
      `/mj/task/%E0%A4%A${MARKER}/fetch`,
      400,
      'BAD_REQUEST',
    ],
    ['no such route', `/v2/${MARKER}`, 404, 'ROUTE_NOT_FOUND'],
  ])('%s', async (_what, path, status, code) => {
    t = await startTestService();
    const reply = await t.alice.get(path);
    expect(reply.status).toBe(status);
    expect(reply.body).toEqual(envelope(code));
    expect(JSON.stringify(reply.body)).not.toContain(MARKER);
  });

  it.each([
    ['bad JSON', `{"prompt": "${MARKER}`, 'application/json', 400, 'VALIDATION_FAILED'],
    ['a form body declared as JSON', `prompt=${MARKER}`, 'application/json', 400, 'VALIDATION_FAILED'],
    ['an unsupported media type', `<p>${MARKER}</p>`, 'application/xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a media type that is not one', '{}', `${MARKER} <script>`, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('%s', async (_what, body, contentType, status, code) => {
    t = await startTestService();
    const reply = await t.alice.post('/v1/imagine', body, { 'content-type': contentType });
    expect(reply.status).toBe(status);
    expect(reply.body).toEqual(envelope(code));
    expect(JSON.stringify(reply.body)).not.toContain(MARKER);
  });

  it('names a well-formed unsupported media type', async () => {
    t = await startTestService();
    const reply = await t.alice.post('/v1/imagine', '<a/>', {
      'content-type': 'Application/XML; charset=utf-8',
    });
    expect(reply.body.error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      contentType: 'application/xml',
    });
  });

  it('413 for a body over the limit, on the proxy routes in their shape', async () => {
    t = await startTestService({ config: { bodyLimitBytes: 1_024 } });
    const reply = await t.alice.post('/mj/submit/imagine', { prompt: MARKER.repeat(200) });
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ code: 4, properties: { errorCode: 'BODY_TOO_LARGE' } });
    expect(JSON.stringify(reply.body)).not.toContain(MARKER);
  });

  it('431 for headers over the limit, from Node, in the envelope', async () => {
    t = await startTestService();
    const reply = await raw(
      t.url,
      `GET /v1/jobs HTTP/1.1\r\nHost: x\r\nX-Big: ${MARKER.repeat(3_000)}\r\n\r\n`,
    );
    expect(reply.status).toBe(431);
    expect(JSON.parse(reply.body)).toEqual(envelope('HEADERS_TOO_LARGE'));
    expect(reply.text).not.toContain(MARKER);
  });

  it('431 for a URL over the header limit, without repeating it', async () => {
    t = await startTestService();
    const reply = await raw(t.url, `GET /v1/${MARKER.repeat(3_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply.status).toBe(431);
    expect(JSON.parse(reply.body)).toEqual(envelope('HEADERS_TOO_LARGE'));
    expect(reply.text).not.toContain(MARKER);
  });

  it('400 for a request Node cannot parse', async () => {
    t = await startTestService();
    const reply = await raw(t.url, `GET /v1/jobs ${MARKER}\r\n\r\n`);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual(envelope('BAD_REQUEST'));
    expect(reply.text).not.toContain(MARKER);
  });

  it('503 SERVICE_CLOSING in the envelope once shutdown has begun', async () => {
    t = await startTestService();
    const service = t.started.service;
    // close() marks the shutdown at once, before the server stops listening.
    const closing = service.close();
    const reply = await service.app.inject({ method: 'GET', url: '/v1/jobs' });
    await closing;
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toEqual(envelope('SERVICE_CLOSING'));
  });
});
