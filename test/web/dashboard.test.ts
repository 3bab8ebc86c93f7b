/**
 * The dashboard in a real browser (Chromium through playwright-core) against the service on an
 * account pool of two simulated accounts, over real sockets on 127.0.0.1. The assets are built
 * fresh into a temporary folder for this run. Screenshots of the main views go to test-results/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/index.js';
import { PROMPT_MAX_LENGTH } from '../../src/service/http/schemas.js';
import { openServiceGenerator, type ServiceGenerator } from '../../src/service/open-generator.js';
import { type Simulator, simAccounts, simAccountsFile, startSimulator } from '../../src/simulator/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { KEY_A } from '../service/helpers/http.js';
import { type Receiver, startReceiver } from '../service/helpers/receiver.js';
import { startTestService, type TestService } from '../service/helpers/service.js';
import { CHROMIUM_PATH, chromiumAvailable } from './browser.js';
import { buildDashboard, firstLoadGzipBytes } from './build-dashboard.js';

const SHOTS = 'test-results';
const FIRST_LOAD_BUDGET = 200 * 1024;
const SIM = simAccounts(2);

let dir: string;
let sim: Simulator;
let opened: ServiceGenerator;
let t: TestService;
let browser: Browser;
let receiver: Receiver;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/dashboard-${name}.png`, fullPage: true });
}

/** A page that has entered KEY_A at the key gate and shows the live dashboard. */
async function signedIn(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(t.url);
  await page.getByLabel('API key').fill(KEY_A);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect.poll(() => page.getByTestId('live').textContent()).toBe('live');
  return page;
}

describe.skipIf(!chromiumAvailable())('dashboard in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [dir, browser, receiver] = await Promise.all([
      buildDashboard(),
      chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] }),
      startReceiver(),
    ]);
    // A job takes a second or two: long enough to see progress and its preview.
    sim = await startSimulator({ timeScale: 40, ...SIM.init, bot: { fastSlots: 2 } });
    const config = loadConfig({
      env: {
        DISCORD_API_BASE_URL: sim.apiBaseUrl,
        MJ_MIN_REQUEST_SPACING_MS: '0',
        MJ_POLL_MIN_MS: '30',
        MJ_POLL_MAX_MS: '60',
        MJ_CONFIRM_WINDOW_MS: '60',
        MJ_NOT_SEEN_TIMEOUT_MS: '2000',
        MJ_JOB_TIMEOUT_MS: '20000',
      },
      envFile: false,
    });
    opened = await openServiceGenerator(
      config,
      silentLogger as never,
      parseAccounts(simAccountsFile(SIM.accounts, sim.guildId, 2), config),
    );
    t = await startTestService({
      generator: opened.generator,
      probe: opened.probe,
      telemetry: opened.telemetry,
      channelId: opened.channelId,
      dashboardDir: dir,
      ...(opened.accounts ? { accounts: opened.accounts } : {}),
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await t?.close();
    await opened?.close();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the first load under 200 KB gzipped', () => {
    const { total, files } = firstLoadGzipBytes(dir);
    console.log(`dashboard first load: ${(total / 1024).toFixed(1)} KB gzipped ${JSON.stringify(files)}`);
    expect(Object.keys(files).some((f) => f.endsWith('.js'))).toBe(true);
    expect(total).toBeLessThan(FIRST_LOAD_BUDGET);
  });

  it('shows nothing without a key, and refuses a wrong one', async () => {
    await t.alice.post('/v1/imagine', { prompt: 'a secret garden before anyone signs in' });
    const page = await browser.newPage();
    const answers: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/')) answers.push(r.status());
    });
    await page.goto(t.url);
    await expect.poll(() => page.getByTestId('key-gate').isVisible()).toBe(true);
    // The shell loads, but every data route it asked for was refused.
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 401)).toBe(true);
    const fromPage = await page.evaluate(async () =>
      Promise.all(['/v1/jobs', '/v1/events', '/v1/accounts'].map(async (p) => (await fetch(p)).status)),
    );
    expect(fromPage).toEqual([401, 401, 401]);
    expect(await page.content()).not.toContain('secret garden');

    await page.getByLabel('API key').fill('not-a-key-0123456789abcdef');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('AuthenticationError');
    await shot(page, 'key-gate');
    await page.close();
  });

  it('runs a prompt to its image, shows a moderated one failing, and runs U1 from the page', async () => {
    const page = await signedIn();
    // The key is kept for this tab only.
    const storage = await page.evaluate(() => {
      const w = globalThis as unknown as Record<'sessionStorage' | 'localStorage', { length: number }>;
      return [w.sessionStorage.length, w.localStorage.length];
    });
    expect(storage).toEqual([1, 0]);

    await page.getByLabel('Prompt', { exact: true }).fill('a lighthouse at dawn --ar 3:2');
    // Watched from before the click: the preview shows only while the job renders.
    const previewShown = page.getByTestId('preview').first().waitFor({ state: 'attached', timeout: 15_000 });
    await page.getByRole('button', { name: 'Imagine' }).click();
    const row = page.getByTestId('job-row').filter({ hasText: 'a lighthouse at dawn' });
    await expect.poll(() => row.count()).toBe(1);
    // Live over SSE: the row reaches running with its progress, then its result thumbnail.
    await previewShown;
    await shot(page, 'jobs-running');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    await expect.poll(() => row.getByTestId('result-thumb').count()).toBe(1);

    await page.getByLabel('Prompt', { exact: true }).fill('a bloody battlefield');
    await page.getByRole('button', { name: 'Imagine' }).click();
    const banned = page.getByTestId('job-row').filter({ hasText: 'a bloody battlefield' });
    await expect.poll(() => banned.getAttribute('data-status'), { timeout: 15_000 }).toBe('failed');
    const shown = await banned.getByTestId('job-error').textContent();
    expect(shown).toContain('PreModerationError');
    const id = (await banned.getAttribute('data-job-id')) as string;
    const stored = (await t.alice.get(`/v1/jobs/${id}`)).body;
    expect(shown).toContain(stored.error.message);
    await shot(page, 'jobs');

    // A refusal at submission shows its typed error under the form, as the API named it.
    const tooLong = 'x'.repeat(PROMPT_MAX_LENGTH + 1);
    await page.getByLabel('Prompt', { exact: true }).fill(tooLong);
    await page.getByRole('button', { name: 'Imagine' }).click();
    const refusal = (await t.alice.post('/v1/imagine', { prompt: tooLong })).body.error;
    await expect.poll(() => page.getByTestId('submit-error').textContent()).toContain(refusal.name);
    expect(await page.getByTestId('submit-error').textContent()).toContain(refusal.code);
    await page.getByLabel('Prompt', { exact: true }).fill('');

    // The outcome filter narrows the list to the failed job.
    await page.getByLabel('Outcome').selectOption('PreModerationError');
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(1);
    await page.getByLabel('Outcome').selectOption('all');
    await page.getByLabel('Search prompts').fill('lighthouse');
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(1);
    await page.getByLabel('Search prompts').fill('');

    const gridId = (await row.getAttribute('data-job-id')) as string;
    await row.getByRole('link').click();
    const detail = page.getByTestId('job-detail');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('succeeded');
    const loaded = await page.getByTestId('result-image').evaluate(async (element) => {
      const img = element as unknown as { decode(): Promise<void>; naturalWidth: number };
      await img.decode();
      return img.naturalWidth > 0;
    });
    expect(loaded).toBe(true);
    await expect.poll(() => page.getByTestId('events').locator('li').count()).toBeGreaterThan(2);
    await shot(page, 'job-detail');

    await page.getByTestId('action-U1').click();
    await expect.poll(() => page.url()).not.toContain(`#/jobs/${gridId}`);
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    const upscaleId = new URL(page.url()).hash.split('/')[2] as string;
    const upscale = (await t.alice.get(`/v1/jobs/${upscaleId}`)).body;
    expect([upscale.action, upscale.parentId, upscale.status]).toEqual(['U1', gridId, 'succeeded']);
    await shot(page, 'upscale');

    await page.goto(`${t.url}/#/gallery`);
    await expect.poll(() => page.getByTestId('gallery').locator('img').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('gallery').getByTitle('a lighthouse at dawn --ar 3:2', { exact: true }).click();
    await expect.poll(() => page.getByTestId('quadrants').getByRole('img').count()).toBe(4);
    await shot(page, 'gallery');

    await page.goto(`${t.url}/#/stats`);
    await expect.poll(() => page.getByTestId('plot-durations').locator('canvas').count()).toBe(1);
    await expect.poll(() => page.getByTestId('plot-throughput').locator('canvas').count()).toBe(1);
    await shot(page, 'plots');

    // Neither the key nor a Discord token is ever on the page.
    const html = await page.content();
    expect(html).not.toContain(KEY_A);
    for (const a of SIM.accounts) expect(html).not.toContain(a.user.token);
    await page.close();
  });

  it('sends a prompt to niji・journey from the form, and names the bot on the job page', async () => {
    const page = await signedIn();
    await page.getByLabel('Bot').selectOption('niji');
    await page.getByLabel('Prompt', { exact: true }).fill('a paper lantern festival');
    await page.getByRole('button', { name: 'Imagine' }).click();
    const row = page.getByTestId('job-row').filter({ hasText: 'a paper lantern festival' });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    const id = (await row.getAttribute('data-job-id')) as string;
    expect((await t.alice.get(`/v1/jobs/${id}`)).body.botType).toBe('niji');
    const ran = sim.jobs.filter((j) => j.prompt.startsWith('a paper lantern festival'));
    expect(ran.map((j) => j.botType)).toEqual(['niji']);
    await row.getByRole('link').click();
    await expect.poll(() => page.getByTestId('job-bot').textContent()).toBe('niji・journey');
    await page.close();
  });

  it("shows a finished job's stored events and its webhook deliveries, attempt by attempt", async () => {
    // The receiver refuses the first attempt: the delivery is retried, and both attempts are shown.
    receiver.script = [503];
    const hook = `${receiver.url}/hooks/dash?token=receiver-secret-42`;
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'a harbour at night', webhookUrl: hook });
    await receiver.waitFor(2);
    await t.started.service.webhooks.idle();
    expect((await t.alice.get(`/v1/jobs/${body.id}`)).body.status).toBe('succeeded');

    // Opened after the job finished: everything shown was stored, none of it seen live.
    const page = await signedIn();
    await page.goto(`${t.url}/#/jobs/${body.id}`);
    const detail = page.getByTestId('job-detail');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('succeeded');
    const events = page.getByTestId('events').locator('li');
    await expect.poll(() => events.last().getAttribute('data-type')).toBe('completed');
    expect(await events.first().textContent()).toContain('submitting');
    expect(await page.getByTestId('events').locator('li[data-type="progress"]').count()).toBeGreaterThan(0);

    const delivery = page.getByTestId('delivery');
    await expect.poll(() => delivery.getAttribute('data-state')).toBe('delivered');
    const attempts = delivery.getByTestId('attempt');
    expect(await attempts.count()).toBe(2);
    expect(await attempts.first().textContent()).toContain('HTTP 503');
    expect(await attempts.last().textContent()).toContain('HTTP 200');
    expect(await delivery.textContent()).toContain(new URL(receiver.url).host);
    expect(await page.getByTestId('job-key').textContent()).toBe('alice');
    await shot(page, 'job-records');
    const html = await page.content();
    expect(html).not.toContain('receiver-secret-42');
    expect(html).not.toContain('/hooks/dash');
    await page.close();
  });

  it('asks for no key when the service runs without keys (loopback only)', async () => {
    const open = await startTestService({ dashboardDir: dir, config: { apiKeys: [], authDisabled: true } });
    try {
      const page = await browser.newPage();
      await page.goto(open.url);
      await expect.poll(() => page.getByTestId('live').textContent()).toBe('live');
      expect(await page.getByTestId('key-gate').count()).toBe(0);
      await page.close();
    } finally {
      await open.close();
    }
  });

  it('disables and enables an account from the page, and shows the limiter', async () => {
    const page = await signedIn();
    await page.goto(`${t.url}/#/accounts`);
    const sim2 = page.locator('[data-account="sim2"]');
    await expect.poll(() => sim2.getAttribute('data-state')).toBe('enabled');
    await sim2.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => sim2.getAttribute('data-state')).toBe('disabled');
    const accounts = (await t.alice.get('/v1/accounts')).body.accounts;
    expect(accounts.find((a: { id: string }) => a.id === 'sim2').state).toBe('disabled');
    expect(await sim2.textContent()).toContain('manual');
    await expect.poll(() => page.getByTestId('limiters').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('circuit').textContent()).toContain('closed');
    await shot(page, 'accounts');
    const html = await page.content();
    for (const a of SIM.accounts) expect(html).not.toContain(a.user.token);

    await sim2.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => sim2.getAttribute('data-state')).toBe('enabled');

    // Fast time left: read on demand with /info. These clients watch by polling, and Midjourney
    // answers /info privately over the gateway: the row says why instead of failing the page
    // (a gateway-watching client's answer is covered in test/service/job-records.test.ts).
    const sim1Info = page.locator('[data-account="sim1"]').getByTestId('account-info');
    expect(await sim1Info.textContent()).toContain('not read yet');
    await sim1Info.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => sim1Info.textContent()).toContain('ValidationError');
    expect(await sim1Info.textContent()).toContain('only over the gateway');
    expect(await page.getByTestId('accounts').locator('tr[data-state]').count()).toBe(2);
    await page.close();
  });
});
