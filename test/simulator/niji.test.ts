/**
 * niji・journey as a second simulated bot: it answers interactions addressed to its own
 * application, posts as its own bot user, answers the buttons of its own results, and every job
 * record says which bot ran it, so a client that sent a Midjourney job to niji's `/imagine` (the
 * trap of the command index) is caught by its record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import {
  MIDJOURNEY_IMAGINE_ID,
  NIJI_APPLICATION_ID,
  NIJI_IMAGINE_ID,
  type Simulator,
  type StartSimulatorOptions,
  seedOf,
  startSimulator,
} from '../../src/simulator/index.js';
import { buttonPayload, imaginePayload } from './helpers/fixtures.js';
import { api, until } from './helpers/http.js';

const MJ = '936929561302675456';
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(init: StartSimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ timeScale: 500, rateLimits: { enabled: false }, ...init });
  sim = started;
  return started;
}

function resultOf(s: Simulator, messageId: string | undefined): APIMessage {
  const found = s.messages().find((m) => m.id === messageId);
  if (found === undefined) throw new Error(`no message ${messageId}`);
  return found;
}

describe('the niji・journey bot', () => {
  it('answers its own /imagine as its own bot user, and the record names the bot', async () => {
    // Without progress messages the result is the job's first reply: it answers the interaction.
    const s = await start({ niji: { faults: { skipProgress: true } } });
    const payload = imaginePayload(s, 'a fox spirit', {}, NIJI_APPLICATION_ID);
    expect(payload.data.id).toBe(NIJI_IMAGINE_ID);
    expect((await api(s, 'POST', '/interactions', { body: payload })).status).toBe(204);
    const job = await until(() => s.jobs.find((j) => j.state === 'completed'));
    expect(job).toMatchObject({
      botType: 'niji',
      applicationId: NIJI_APPLICATION_ID,
      prompt: 'a fox spirit',
      nonce: payload.nonce,
    });
    expect(s.bot.jobs()).toEqual([]);
    expect(s.niji?.jobs()).toEqual([job]);
    const result = resultOf(s, job.resultMessageId);
    expect(result.author).toMatchObject({
      id: NIJI_APPLICATION_ID,
      username: 'niji・journey Bot',
      bot: true,
    });
    expect(result.application_id).toBe(NIJI_APPLICATION_ID);
    expect(result.interaction_metadata).toMatchObject({ name: 'imagine', user: { id: s.userId } });
    expect(result.content).toContain(`<@${s.userId}>`);
    expect(s.niji?.options).toMatchObject({ botType: 'niji', seed: 2, faults: { skipProgress: true } });
    expect(s.bot.options.faults.skipProgress).toBe(false);
  });

  it("answers a button on its own result (U1), and refuses one addressed to Midjourney's application", async () => {
    const s = await start();
    await api(s, 'POST', '/interactions', { body: imaginePayload(s, 'a koi pond', {}, NIJI_APPLICATION_ID) });
    const grid = await until(() => s.jobs.find((j) => j.state === 'completed'));
    const u1 = resultOf(s, grid.resultMessageId).components[0]?.components[0] as { custom_id: string };
    expect(u1.custom_id).toBe(`MJ::JOB::upsample::1::${grid.id}`);

    const wrong = await api(s, 'POST', '/interactions', {
      body: buttonPayload(s, grid.resultMessageId ?? '', u1.custom_id, { application_id: MJ }),
    });
    expect(wrong.json).toMatchObject({ code: 50035 });

    const press = buttonPayload(s, grid.resultMessageId ?? '', u1.custom_id, {
      application_id: NIJI_APPLICATION_ID,
    });
    expect((await api(s, 'POST', '/interactions', { body: press })).status).toBe(204);
    const upscale = await until(() => s.jobs.find((j) => j.kind === 'upscale' && j.resultMessageId));
    expect(upscale).toMatchObject({ botType: 'niji', parentId: grid.id, index: 1, nonce: press.nonce });
    expect(resultOf(s, upscale.resultMessageId).author.id).toBe(NIJI_APPLICATION_ID);
    expect(s.bot.jobs()).toEqual([]);
  });

  it('runs beside Midjourney in one channel: same prompt, each job recorded by its own bot', async () => {
    const s = await start();
    const mj = imaginePayload(s, 'twin towers');
    const niji = imaginePayload(s, 'twin towers', {}, NIJI_APPLICATION_ID);
    await api(s, 'POST', '/interactions', { body: mj });
    await api(s, 'POST', '/interactions', { body: niji });
    await until(() => (s.jobs.filter((j) => j.state === 'completed').length === 2 ? true : undefined));
    const [first, second] = s.jobs;
    expect([first?.botType, first?.nonce]).toEqual(['midjourney', mj.nonce]);
    expect([second?.botType, second?.nonce]).toEqual(['niji', niji.nonce]);
    expect(first?.id).not.toBe(second?.id);
    expect(resultOf(s, first?.resultMessageId).author.id).toBe(MJ);
    expect(resultOf(s, second?.resultMessageId).author.id).toBe(NIJI_APPLICATION_ID);
  });

  it('answers ✉️ on its own result with a DM from its bot user, in its own DM channel with the user', async () => {
    const s = await start();
    await api(s, 'POST', '/interactions', { body: imaginePayload(s, 'a paper crane') });
    await api(s, 'POST', '/interactions', {
      body: imaginePayload(s, 'a paper crane', {}, NIJI_APPLICATION_ID),
    });
    await until(() => (s.jobs.filter((j) => j.state === 'completed').length === 2 ? true : undefined));
    const mjJob = s.jobs.find((j) => j.botType === 'midjourney');
    const nijiJob = s.jobs.find((j) => j.botType === 'niji');
    const open = async (recipient: string) =>
      (await api(s, 'POST', '/users/@me/channels', { body: { recipient_id: recipient } })).json as {
        id: string;
        recipients: { id: string }[];
      };
    const mjDm = await open(MJ);
    const nijiDm = await open(NIJI_APPLICATION_ID);
    expect(nijiDm.id).not.toBe(mjDm.id);
    expect(nijiDm.recipients.map((r) => r.id)).toEqual([NIJI_APPLICATION_ID]);
    expect((await open(NIJI_APPLICATION_ID)).id).toBe(nijiDm.id);

    const react = (messageId: string | undefined) =>
      api(
        s,
        'PUT',
        `/channels/${s.channelId}/messages/${messageId}/reactions/${encodeURIComponent('✉️')}/@me`,
      );
    expect((await react(nijiJob?.resultMessageId)).status).toBe(204);
    expect((await react(mjJob?.resultMessageId)).status).toBe(204);
    await until(() =>
      s.messages(nijiDm.id).length > 0 && s.messages(mjDm.id).length > 0 ? true : undefined,
    );
    const dms = async (channelId: string) =>
      (await api(s, 'GET', `/channels/${channelId}/messages?limit=50`)).json as APIMessage[];
    const nijiDms = await dms(nijiDm.id);
    const mjDms = await dms(mjDm.id);
    expect(nijiDms.map((m) => [m.author.id, m.content])).toEqual([
      [
        NIJI_APPLICATION_ID,
        `**${nijiJob?.echo}**\n**Job ID**: ${nijiJob?.id}\n**seed** ${seedOf(nijiJob?.id ?? '')}`,
      ],
    ]);
    expect(mjDms.map((m) => [m.author.id, m.content])).toEqual([
      [MJ, `**${mjJob?.echo}**\n**Job ID**: ${mjJob?.id}\n**seed** ${seedOf(mjJob?.id ?? '')}`],
    ]);
  });

  it("records the trap: a Midjourney job sent to niji's /imagine (the index's first) is niji's", async () => {
    const s = await start();
    const first = s.commands.index().application_commands.find((c) => c.name === 'imagine');
    expect(first?.application_id).toBe(NIJI_APPLICATION_ID);
    expect(s.commands.get('imagine')?.id).toBe(MIDJOURNEY_IMAGINE_ID);
    const trapped = imaginePayload(s, 'a lighthouse', {
      application_id: first?.application_id,
      data: { ...imaginePayload(s, 'a lighthouse').data, id: first?.id, version: first?.version },
    });
    await api(s, 'POST', '/interactions', { body: trapped });
    const job = await until(() => s.jobs[0]);
    expect(job).toMatchObject({ botType: 'niji', applicationId: NIJI_APPLICATION_ID, nonce: trapped.nonce });
    expect(s.bot.jobs()).toEqual([]);
  });

  it('is absent with niji: false: its interactions then reach no bot', async () => {
    const s = await start({ niji: false });
    expect(s.niji).toBeUndefined();
    const payload = imaginePayload(s, 'a fox', {}, NIJI_APPLICATION_ID);
    expect((await api(s, 'POST', '/interactions', { body: payload })).status).toBe(204);
    const mj = imaginePayload(s, 'a dog');
    await api(s, 'POST', '/interactions', { body: mj });
    await until(() => s.jobs[0]);
    expect(s.jobs.map((j) => j.nonce)).toEqual([mj.nonce]);
  });
});
