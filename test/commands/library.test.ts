/**
 * `describe`, `blend` and `shorten` from the library against the simulator over real sockets:
 * the upload flow (slot through the limiter, PUT to the upload host, interaction naming the
 * uploaded file), the answers read back, and the refusals made before anything is sent.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferredPreModerationError } from '../../src/generation/errors.js';
import type { Midjourney } from '../../src/generation/index.js';
import { ImageInputError } from '../../src/images/errors.js';
import { PreModerationError } from '../../src/midjourney/errors.js';
import { WebhookTargetPolicy } from '../../src/service/webhooks/target-policy.js';
import { type Simulator, seedOf } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from '../generation/helpers/simulator.js';
import { dataUrl, gridPng, imageServer, redPng } from './helpers.js';

let sim: Simulator;
let mj: Midjourney;
let images: Awaited<ReturnType<typeof imageServer>>;

beforeAll(async () => {
  sim = await startFastSimulator({ bot: { bannedWords: ['forbidden'], publicNotices: true } });
  mj = clientFor(sim, 'poll', { imageUrlPolicy: new WebhookTargetPolicy({ allowPrivate: true }) });
  images = await imageServer({ '/fox.png': gridPng(), '/notes.txt': Buffer.from('hello, not an image') });
});

afterAll(async () => {
  await mj?.close();
  await sim?.close();
  await images?.close();
});

const routes = (): string[] => sim.requests.map((r) => r.route);

describe('describe', () => {
  it('uploads a local file and returns the four prompts with their buttons', async () => {
    const path = join(tmpdir(), `mjw-describe-${process.pid}.png`);
    await writeFile(path, redPng());
    sim.clearRequests();
    const result = await mj.describe(path);
    expect(result.kind).toBe('describe');
    expect(result.prompts).toHaveLength(4);
    for (const prompt of result.prompts) expect(prompt).toMatch(/--ar 1:1$/);
    expect(result.buttons).toMatchObject({
      1: 'MJ::Job::PicReader::1',
      4: 'MJ::Job::PicReader::4',
      all: 'MJ::Job::PicReader::all',
    });
    expect(result.imageUrl).toMatch(/\/attachments\/.+\.png\?ex=/);
    const order = routes().filter((r) => !r.startsWith('GET '));
    expect(order).toEqual([
      'POST /channels/{channel_id}/attachments',
      'PUT /upload/{path}',
      'POST /interactions',
    ]);
    const interaction = sim.requests.find((r) => r.route === 'POST /interactions');
    const data = (
      interaction?.body as {
        data: { name: string; options: unknown[]; attachments: { uploaded_filename: string }[] };
      }
    ).data;
    expect(data.name).toBe('describe');
    expect(data.options).toEqual([{ type: 11, name: 'image', value: '0' }]);
    expect(data.attachments[0]?.uploaded_filename).toMatch(/^[0-9a-f-]{36}\/mjw-describe-\d+\.png$/);
  });

  it('takes bytes, a data: URL and an http URL (through the URL policy)', async () => {
    const fromBytes = await mj.describe(gridPng());
    const fromData = await mj.describe(dataUrl(gridPng()));
    const fromUrl = await mj.describe(`${images.url}/fox.png`);
    for (const result of [fromBytes, fromData, fromUrl]) expect(result.prompts).toHaveLength(4);
  });

  it('refuses bad images before anything is sent', async () => {
    sim.clearRequests();
    const refused = async (input: Parameters<Midjourney['describe']>[0], options = {}) =>
      mj.describe(input, options).then(
        () => undefined,
        (error: unknown) => error,
      );
    const notImage = await refused(Buffer.from('GIF? no, plain text'));
    expect(notImage).toBeInstanceOf(ImageInputError);
    expect((notImage as ImageInputError).code).toBe('IMAGE_NOT_AN_IMAGE');
    expect(((await refused(`${images.url}/notes.txt`)) as ImageInputError).code).toBe('IMAGE_NOT_AN_IMAGE');
    expect(((await refused('/nonexistent/cat.png')) as ImageInputError).code).toBe('IMAGE_UNREADABLE');
    expect(((await refused(`${images.url}/missing.png`)) as ImageInputError).code).toBe('IMAGE_FETCH_FAILED');
    const big = Buffer.concat([redPng(), Buffer.alloc(64 * 1024)]);
    const small = clientFor(sim, 'poll', { imageMaxBytes: 1024 });
    try {
      const tooLarge = await small.describe(big).catch((error: unknown) => error);
      expect((tooLarge as ImageInputError).code).toBe('IMAGE_TOO_LARGE');
      // The default policy: loopback and private addresses are forbidden.
      const forbidden = await small.describe(`${images.url}/fox.png`).catch((error: unknown) => error);
      expect((forbidden as ImageInputError).code).toBe('IMAGE_URL_FORBIDDEN');
      const metadata = await small
        .describe('http://169.254.169.254/latest/image.png')
        .catch((e: unknown) => e);
      expect((metadata as ImageInputError).code).toBe('IMAGE_URL_FORBIDDEN');
    } finally {
      await small.close();
    }
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('infers pre-moderation when a private refusal leaves the channel silent (REST polling)', async () => {
    const quiet = await startFastSimulator({ bot: { bannedWords: ['forbidden'] } });
    const polling = clientFor(quiet, 'poll');
    try {
      const error = await polling
        .describe({ bytes: redPng(), filename: 'forbidden.png' }, { timeoutMs: 1_500 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InferredPreModerationError);
    } finally {
      await polling.close();
      await quiet.close();
    }
  });

  it('matches replies that carry only the legacy interaction object', async () => {
    const legacy = await startFastSimulator({ bot: { evidence: { interaction: 'legacy' } } });
    const client = clientFor(legacy, 'poll');
    try {
      expect((await client.describe(redPng())).prompts).toHaveLength(4);
      expect((await client.shorten('a red fox at dusk')).prompts).toHaveLength(5);
      expect((await client.blend([redPng(), gridPng()])).kind).toBe('blend');
    } finally {
      await client.close();
      await legacy.close();
    }
  });

  it('reports the moderation notice as a typed error', async () => {
    const error = await mj
      .describe({ bytes: redPng(), filename: 'forbidden-thing.png' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreModerationError);
    expect((error as PreModerationError).notice).toMatch(/Banned image prompt/);
  });
});

describe('blend', () => {
  it('blends two images into a grid with its buttons', async () => {
    const result = await mj.blend([redPng(), gridPng()], { dimensions: 'portrait' });
    expect(result.kind).toBe('blend');
    expect(result.echoedPrompt).toMatch(/^<https:\/\/s\.mj\.run\/\S+> <https:\/\/s\.mj\.run\/\S+> --ar 2:3$/);
    expect(result.imageUrl).toMatch(/\.png\?ex=/);
    expect(result.actions).toMatchObject({ U1: expect.stringContaining('MJ::JOB::upsample::1::') });
    const job = sim.jobs.find((j) => j.kind === 'blend');
    expect(job?.id).toBe(result.jobId);
  });

  it('reports a banned image in a blend as a typed error, before any job starts', async () => {
    const error = await mj
      .blend([{ bytes: redPng(), filename: 'forbidden.png' }, gridPng()])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreModerationError);
    expect((error as PreModerationError).notice).toMatch(/Banned image prompt/);
  });

  it('checks the count and the dimensions first', async () => {
    await expect(mj.blend([redPng()])).rejects.toThrow(/2 to 5 images/);
    await expect(mj.blend([redPng(), redPng()], { dimensions: 'round' as 'square' })).rejects.toThrow(
      /dimensions/,
    );
  });
});

describe('imagine with images', () => {
  it('uploads image prompts and references and puts their CDN URLs in the prompt', async () => {
    sim.clearRequests();
    const result = await mj.imagineWithImages('a fox in the snow --ar 3:2', {
      images: [redPng()],
      sref: [dataUrl(gridPng())],
      cref: [`${images.url}/fox.png`],
    });
    expect(result.kind).toBe('imagine');
    // The image prompt becomes an s.mj.run link in Midjourney's echo; then one --sref, one --cref.
    expect(result.echoedPrompt).toMatch(
      /^<https:\/\/s\.mj\.run\/\S+> a fox in the snow --ar 3:2 --sref \S+image\.png\S* --cref \S+fox\.png\S*$/,
    );
    expect(sim.requests.filter((r) => r.method !== 'GET').map((r) => r.route)).toEqual([
      'POST /channels/{channel_id}/attachments',
      'PUT /upload/{path}',
      'PUT /upload/{path}',
      'PUT /upload/{path}',
      'POST /channels/{channel_id}/messages',
      'POST /interactions',
    ]);
    const sent = sim.requests.find((r) => r.route === 'POST /interactions')?.body as {
      data: { options: { value: string }[] };
    };
    expect(sent.data.options[0]?.value).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/attachments\/.+ a fox in the snow --ar 3:2 --sref http/,
    );
  });

  it('sends nothing when one of the images is bad', async () => {
    sim.clearRequests();
    await expect(
      mj.imagineWithImages('a fox', { images: [redPng()], sref: [Buffer.from('nope')] }),
    ).rejects.toBeInstanceOf(ImageInputError);
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('seed', () => {
  it("reacts ✉️ on a result and reads the seed from the bot's DM", async () => {
    const grid = await mj.imagine('a lighthouse for a seed');
    sim.clearRequests();
    const seed = await mj.seed(grid);
    expect(seed.jobId).toBe(grid.jobId);
    expect(seed.seed).toBe(String(seedOf(grid.jobId)));
    expect(sim.requests.filter((r) => r.method !== 'GET').map((r) => r.route)).toEqual([
      'POST /users/@me/channels',
      'PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me',
    ]);
    const reaction = sim.requests.find((r) => r.method === 'PUT');
    expect(reaction?.path).toContain('/reactions/%E2%9C%89%EF%B8%8F/@me?location=Message&type=0');
    // The DM carries the job id; a second seed reuses the DM channel and matches by job id.
    const other = await mj.imagine('another lighthouse for a seed');
    expect((await mj.seed(other)).seed).toBe(String(seedOf(other.jobId)));
  });

  it('refuses a source that is not a result', async () => {
    await expect(
      mj.seed({ ...({} as Parameters<Midjourney['seed']>[0]), messageId: 'x', jobId: 'y' }),
    ).rejects.toThrow(/not a snowflake/);
  });
});

describe('shorten', () => {
  it('returns the weighted tokens and five shorter prompts', async () => {
    const result = await mj.shorten('a lighthouse in the style of expert watercolor, dramatic sky at dusk');
    expect(result.prompts).toHaveLength(5);
    expect(result.tokens.find((t) => t.text === 'lighthouse')?.weight).toBe('important');
    expect(result.tokens.find((t) => t.text === 'the')?.weight).toBe('dropped');
    expect(result.buttons['1']).toBe('MJ::Job::PromptAnalyzer::1');
  });

  it('reports a banned prompt', async () => {
    await expect(mj.shorten('something forbidden here')).rejects.toBeInstanceOf(PreModerationError);
  });
});
