/**
 * The API described: /openapi.json lists every registered route, every example in it validates
 * against its schema, real answers validate against the documented ones, and /docs serves its
 * reference page with local assets only, without a key (the API itself still needs one).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

// ajv-formats is CommonJS: its default export is the function under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let t: TestService;
let doc: Json;
beforeAll(async () => {
  t = await startTestService();
  const answer = await t.anonymous.get('/openapi.json');
  expect(answer.status).toBe(200);
  doc = answer.body;
});
afterAll(async () => t?.close());

/**
 * Routes that are pages, not API: the description itself and its reference page. A route added
 * with `schema: { hide: true }` (a page, a static asset) belongs here; every other route must be
 * in the document.
 */
/** The description itself, its reference page and the dashboard's files are not API routes. */
const NOT_API = /^GET \/((docs|openapi\.json)(\/|$)|$|assets\/|index\.html$|favicon)/;

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

/** `METHOD /path/{param}` for every route Fastify holds, read from printRoutes' tree. */
function registeredRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = path;
    for (const method of match[3]!.split(', ')) {
      if (method === 'HEAD') continue; // Fastify's automatic HEAD of each GET
      routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes;
}

/** Every (schema, example) pair in the document: media examples and `examples` keywords. */
function examplesOf(
  node: unknown,
  at: string,
  out: { at: string; schema: unknown; example: unknown }[] = [],
) {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) examplesOf(item, `${at}/${i}`, out);
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if (o.schema !== undefined && 'example' in o) out.push({ at, schema: o.schema, example: o.example });
  if (o.schema !== undefined && o.examples !== null && typeof o.examples === 'object') {
    for (const [name, ex] of Object.entries(o.examples as Record<string, { value: unknown }>)) {
      out.push({ at: `${at}#${name}`, schema: o.schema, example: ex.value });
    }
  }
  if (Array.isArray(o.examples) && (o.type !== undefined || o.properties !== undefined)) {
    for (const example of o.examples) out.push({ at, schema: o, example });
  }
  for (const [key, value] of Object.entries(o)) {
    if (key !== 'examples' && key !== 'example') examplesOf(value, `${at}/${key}`, out);
  }
  return out;
}

/** The documented JSON schema of an answer. */
function answerSchema(path: string, method: string, status: number): unknown {
  const response = doc.paths[path]?.[method]?.responses?.[String(status)];
  expect(response, `${method.toUpperCase()} ${path} documents ${status}`).toBeDefined();
  return response.content['application/json'].schema;
}

const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
function expectValid(schema: unknown, value: unknown, what: string): void {
  const key = JSON.stringify(schema);
  const validate = compiled.get(key) ?? ajv.compile(schema as object);
  compiled.set(key, validate);
  expect(validate(value), `${what}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document, public, that names every registered route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toMatch(/midjourney-worker/);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registered = registeredRoutes(t.started.service.app.printRoutes({ commonPrefix: false })).filter(
      (r) => !NOT_API.test(r),
    );
    expect(registered.length).toBeGreaterThan(30);
    expect(registered).toContain('POST /mj/task/list-by-ids');
    expect(new Set(documented)).toEqual(new Set(registered));
  });

  it('gives each operation a summary, a tag and a documented success answer with an example', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops as Record<string, Json>)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(op.summary, name).toEqual(expect.any(String));
        expect(op.tags?.length, name).toBe(1);
        const success = Object.keys(op.responses).find((code) => code.startsWith('2'));
        expect(success, name).toBeDefined();
        expect(examplesOf(op.responses[success!], name).length, `${name} has an example`).toBeGreaterThan(0);
      }
    }
  });

  it('holds only examples that validate against their schema', () => {
    const examples = examplesOf(doc.paths, '');
    expect(examples.length).toBeGreaterThan(40);
    for (const { at, schema, example } of examples) expectValid(schema, example, at);
  });

  it('catches an example that does not fit (the check can fail)', () => {
    const job = doc.paths['/v1/jobs/{id}'].get.responses['200'].content['application/json'];
    const broken = { ...job.example, status: 'done' };
    expect(ajv.compile(job.schema)(broken)).toBe(false);
  });

  it('declares the three key headers, and no key on the health routes', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer', 'mjApiSecret']);
    expect(doc.paths['/livez'].get.security).toEqual([]);
    expect(doc.paths['/v1/imagine'].post.security).toBeUndefined();
  });
});

describe('real answers match the document', () => {
  it('for a job through /v1 and /mj, a page of jobs and an error', async () => {
    const submitted = await t.alice.post('/v1/imagine', { prompt: 'a red fox', metadata: { order: 1 } });
    expectValid(answerSchema('/v1/imagine', 'post', 202), submitted.body, 'POST /v1/imagine');
    const fake = await t.generator.job(1);
    const done = waitForStatus(t.started.service.runner, submitted.body.id, 'succeeded');
    fake.complete();
    await done;

    const job = await t.alice.get(`/v1/jobs/${submitted.body.id}`);
    expectValid(answerSchema('/v1/jobs/{id}', 'get', 200), job.body, 'GET /v1/jobs/{id}');
    const page = await t.alice.get('/v1/jobs?limit=5');
    expect(page.body.jobs).toHaveLength(1);
    expectValid(answerSchema('/v1/jobs', 'get', 200), page.body, 'GET /v1/jobs');
    const task = await t.alice.get(`/mj/task/${submitted.body.id}/fetch`);
    expectValid(answerSchema('/mj/task/{id}/fetch', 'get', 200), task.body, 'GET /mj/task/{id}/fetch');
    const list = await t.alice.get('/mj/task/list');
    expectValid(answerSchema('/mj/task/list', 'get', 200), list.body, 'GET /mj/task/list');

    const missing = await t.alice.get('/v1/jobs/1000000000000000');
    expect(missing.status).toBe(404);
    expectValid(answerSchema('/v1/jobs/{id}', 'get', 404), missing.body, '404');
    const proxyMissing = await t.alice.get('/mj/task/1000000000000000/fetch');
    expectValid(answerSchema('/mj/task/{id}/fetch', 'get', 404), proxyMissing.body, 'proxy 404');

    const proxySubmit = await t.alice.post('/mj/submit/imagine', { prompt: 'a blue fox' });
    expectValid(answerSchema('/mj/submit/imagine', 'post', 200), proxySubmit.body, 'POST /mj/submit/imagine');
  });
});

describe('GET /docs', () => {
  it('serves the reference page and every asset it loads from the service, without a key', async () => {
    const page = await t.anonymous.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html: string = page.body;
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset, 'no CDN').toMatch(/^\/docs\/static\//);
      const loaded = await t.anonymous.get(asset);
      expect(loaded.status, asset).toBe(200);
    }
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    // The UI reads the same document.
    const json = await t.anonymous.get('/docs/json');
    expect(json.body.paths['/v1/imagine']).toBeDefined();
  });

  it('opens nothing else: the API still needs a key', async () => {
    expect((await t.anonymous.get('/v1/jobs')).status).toBe(401);
    expect((await t.anonymous.get('/docsx')).status).toBe(401);
  });
});
