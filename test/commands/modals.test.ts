/**
 * Buttons Midjourney answers with a form, from the library against the simulator over real
 * sockets: the simulator sends INTERACTION_MODAL_CREATE (or the iframe modal of Vary (Region)) to
 * the user's gateway session, the client fills it and submits it as interaction type 5, and the
 * result is matched to its job. A form the call cannot fill, or one a REST poller cannot see, is a
 * typed error at once, never a silent wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEnvironment } from '../../src/cli/commands/sim.js';
import { parseDotenv } from '../../src/config/dotenv.js';
import { loadConfig } from '../../src/config/index.js';
import type { ModalSubmitInteractionPayload } from '../../src/discord/types.js';
import { type GenerationResult, Midjourney } from '../../src/generation/index.js';
import { InvalidRequestError } from '../../src/midjourney/errors.js';
import { ModalRequiredError, ModalUnavailableError } from '../../src/midjourney/modal-errors.js';
import type { Simulator } from '../../src/simulator/index.js';
import { encodeSolidPng } from '../../src/util/png-images.js';
import { clientFor, startFastSimulator } from '../generation/helpers/simulator.js';
import { redPng } from './helpers.js';

let sim: Simulator;
let mj: Midjourney;
let grid: GenerationResult;
let upscaled: GenerationResult;

beforeAll(async () => {
  sim = await startFastSimulator();
  mj = clientFor(sim, 'gateway', { inpaintUrl: `${sim.cdnBaseUrl}/inpaint/api/submit-job` });
  grid = await mj.imagine('a lighthouse on a cliff');
  upscaled = await mj.upscale(grid, 2);
});

afterAll(async () => {
  await mj?.close();
  await sim?.close();
});

function modalSubmits(): ModalSubmitInteractionPayload[] {
  return sim.requests
    .filter((r) => r.route === 'POST /interactions' && (r.body as { type?: number })?.type === 5)
    .map((r) => r.body as ModalSubmitInteractionPayload);
}

describe('Custom Zoom', () => {
  it('answers the Zoom Out form with the prompt and its --zoom, and returns the zoomed grid', async () => {
    sim.clearRequests();
    const started = Date.now();
    const zoomed = await mj.act(upscaled, 'zoom-custom', { prompt: 'a lighthouse on a cliff --zoom 1.5' });
    expect(zoomed.echoedPrompt).toContain('--zoom 1.5');
    expect(zoomed.imageUrls.length).toBeGreaterThan(0);
    const [submit] = modalSubmits();
    expect(submit?.data.custom_id).toBe(`MJ::OutpaintCustomZoomModal::${upscaled.jobId}`);
    expect(submit?.data.components[0]?.components[0]).toEqual({
      type: 4,
      custom_id: 'MJ::OutpaintCustomZoomModal::prompt',
      value: 'a lighthouse on a cliff --zoom 1.5',
    });
    const record = sim.jobs.find((j) => j.kind === 'zoom' && j.parentId === upscaled.jobId);
    expect(record?.prompt).toBe('a lighthouse on a cliff --zoom 1.5');
    expect(zoomed.jobId).toBe(record?.id);
    // No 60 s wait anywhere: the form came back over the gateway.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("submits Midjourney's prefilled form when no prompt is given (zoom 2)", async () => {
    const zoomed = await mj.act(upscaled, 'zoom-custom');
    expect(zoomed.echoedPrompt).toContain('--zoom 2');
  });

  it("reports Midjourney's refusal of an out-of-range --zoom as a typed error", async () => {
    const error = await mj
      .act(upscaled, 'zoom-custom', { prompt: 'a lighthouse --zoom 7' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/--zoom/);
  });
});

describe('Remix mode', () => {
  it('answers the Remix form of a variation with the new prompt', async () => {
    sim.bot.setRemix(true, sim.userId);
    try {
      sim.clearRequests();
      const remixed = await mj.act(grid, 'V3', { prompt: 'a lighthouse under a full moon' });
      expect(remixed.echoedPrompt).toBe('a lighthouse under a full moon');
      const [submit] = modalSubmits();
      expect(submit?.data.custom_id).toBe(`MJ::RemixModal::${grid.jobId}::3::0`);
      const record = sim.jobs.find((j) => j.id === remixed.jobId);
      expect(record).toMatchObject({ kind: 'variation', index: 3, parentId: grid.jobId });
    } finally {
      sim.bot.setRemix(false, sim.userId);
    }
  });

  it('with remix off, the same call runs the plain variation (no form was opened)', async () => {
    sim.clearRequests();
    const varied = await mj.act(grid, 'V1', { prompt: 'ignored without remix' });
    expect(varied.echoedPrompt).toBe(grid.echoedPrompt);
    expect(modalSubmits()).toEqual([]);
  });
});

describe('Vary (Region)', () => {
  it('posts the mask and the prompt to the editor and returns the region variation', async () => {
    sim.clearRequests();
    const mask = encodeSolidPng(16, 16, [255, 255, 255]);
    const varied = await mj.act(upscaled, 'vary-region', { mask, prompt: 'a red door' });
    expect(varied.echoedPrompt).toBe('a red door');
    const editor = sim.requests.find((r) => r.route === 'POST /inpaint/api/submit-job');
    expect(editor?.status).toBe(200);
    const record = sim.jobs.find((j) => j.id === varied.jobId);
    expect(record).toMatchObject({ kind: 'variation', parentId: upscaled.jobId });
  });

  it('posts to the editor MJ_INPAINT_URL names, as `mjw sim` prints it, from a client built from the environment', async () => {
    const { values } = parseDotenv(clientEnvironment(sim, 100).join('\n'), 'mjw sim');
    expect(values.MJ_INPAINT_URL).toBe(`${sim.cdnBaseUrl}/inpaint/api/submit-job`);
    const fromEnv = new Midjourney({ config: loadConfig({ env: values, envFile: false }) });
    try {
      sim.clearRequests();
      const mask = encodeSolidPng(16, 16, [255, 255, 255]);
      const varied = await fromEnv.act(upscaled, 'vary-region', { mask, prompt: 'a blue door' });
      expect(varied.echoedPrompt).toBe('a blue door');
      expect(
        sim.requests.filter((r) => r.route === 'POST /inpaint/api/submit-job').map((r) => r.status),
      ).toEqual([200]);
    } finally {
      await fromEnv.close();
    }
  });

  it('refuses without a mask before anything is sent', async () => {
    sim.clearRequests();
    const error = await mj.act(upscaled, 'vary-region').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModalRequiredError);
    expect((error as ModalRequiredError).fields).toEqual(['mask']);
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('describe and shorten prompts', () => {
  it('imagines prompt 2 of a describe answer through its form', async () => {
    const described = await mj.describe(redPng());
    sim.clearRequests();
    const result = await mj.imagineFrom(described, 2);
    expect(result.kind).toBe('imagine');
    expect(result.echoedPrompt).toBe(described.prompts[1]);
    expect(modalSubmits()[0]?.data.custom_id).toBe('MJ::Picreader::Modal::2');
  });

  it('imagines an edited shortened prompt', async () => {
    const shortened = await mj.shorten('a very detailed painting of a red fox in the snow at dusk');
    const result = await mj.imagineFrom(shortened, 1, { prompt: 'a red fox in the snow' });
    expect(result.echoedPrompt).toBe('a red fox in the snow');
    expect(modalSubmits().at(-1)?.data.custom_id).toBe(`MJ::ImagineModal::${shortened.messageId}`);
  });
});

describe('without the gateway', () => {
  it('refuses a form button at once (ModalUnavailableError), sending nothing', async () => {
    const polling = clientFor(sim, 'poll');
    try {
      sim.clearRequests();
      const error = await polling.act(upscaled, 'zoom-custom', { prompt: 'x --zoom 1.5' }).catch((e) => e);
      expect(error).toBeInstanceOf(ModalUnavailableError);
      expect((error as ModalUnavailableError).code).toBe('MODAL_NEEDS_GATEWAY');
      expect(sim.requests.filter((r) => r.route === 'POST /interactions')).toEqual([]);
    } finally {
      await polling.close();
    }
  });
});

describe('the simulator refuses a forged modal submit', () => {
  it('answers 404 Unknown interaction for a modal that was never opened', async () => {
    const response = await fetch(`${sim.apiBaseUrl}/interactions`, {
      method: 'POST',
      headers: { authorization: sim.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 5,
        application_id: '936929561302675456',
        guild_id: sim.guildId,
        channel_id: sim.channelId,
        session_id: 'a'.repeat(32),
        nonce: '1300000000000000000',
        data: {
          id: '1300000000000000001',
          custom_id: 'MJ::RemixModal::x',
          components: [{ type: 1, components: [{ type: 4, custom_id: 'a', value: 'b' }] }],
        },
      }),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: number }).code).toBe(10062);
  });
});
