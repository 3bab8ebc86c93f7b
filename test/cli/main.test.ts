import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../src/cli/main.js';
import { byClass, byTag, findAll, parseHtml, textOf } from '../batch/support/html.js';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { text: () => string };
  stream.text = () => chunks.join('');
  return stream;
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, { env, stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('mjw', () => {
  it('lists every command in --help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const name of ['start', 'imagine', 'batch', 'serve', 'sim'])
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('refuses an unknown command with exit 2', async () => {
    const { code, stderr } = await cli(['paint']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "paint"');
  });

  it('loads every command module and prints its usage', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const command = await entry.load();
      expect(command.name).toBe(name);
      const { code, stdout } = await cli([name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`mjw ${name}`);
    }
  });

  it('reports bad configuration with exit 2, naming the variable', async () => {
    const { code, stderr } = await cli(['start'], { MJ_POLL_MIN_MS: 'fast' });
    expect(code).toBe(2);
    expect(stderr).toContain('MJ_POLL_MIN_MS');
  });

  it('start runs the example prompts against the simulator, each to a typed outcome', async () => {
    const { code, stdout, stderr } = await cli(['start']);
    expect(stderr).toContain('built-in simulator');
    expect(code).toBe(0);
    const outcomes = stdout.slice(stdout.indexOf('Outcomes'));
    expect(outcomes.match(/^ {2}success /gm)).toHaveLength(3);
    expect(outcomes).toMatch(/^ {2}PreModerationError +a bloody battlefield/m);
    expect(outcomes.match(/^ {2}InvalidRequestError /gm)).toHaveLength(2);
    // The results file it named is kept, and the images are saved beside it (the URLs died).
    const named = /results in (\S+), images in (\S+)\n/.exec(stderr);
    expect(named).not.toBeNull();
    const lines = readFileSync(named?.[1] as string, 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(6);
    expect(readdirSync(named?.[2] as string).filter((f) => f.endsWith('.png'))).toHaveLength(3);
    expect(outcomes.match(/^ {2}success .*\.png$/gm)).toHaveLength(3);
    expect(stdout).toContain('the images are saved locally');
    // The gallery beside the results: every prompt, the grids from the saved images.
    const report = /\nReport: (\S+)\n/.exec(stdout)?.[1];
    expect(report).toBe(join(dirname(named?.[1] as string), 'report.html'));
    const html = parseHtml(readFileSync(report as string, 'utf8'));
    const cards = findAll(html, byTag('article'));
    expect(cards).toHaveLength(6);
    expect(cards.filter((card) => card.attrs['data-outcome'] === 'success')).toHaveLength(3);
    const grids = findAll(html, byClass('grid')).map((img) => img.attrs.src);
    expect(grids).toHaveLength(3);
    for (const src of grids) expect(src).toMatch(/^images\/[^/]+\.png$/);
    expect(findAll(html, byClass('error-name')).map(textOf)).toContain('PreModerationError');
  });

  it('runs from the bin launcher', () => {
    const bin = fileURLToPath(new URL('../../bin/mjw.js', import.meta.url));
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: mjw <command>');
  });
});

describe('mjw imagine --json', () => {
  it('prints exactly one JSON object for a success, exit 0', async () => {
    const { code, stdout } = await cli(['imagine', '--json', 'a red fox in the snow']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(out).toMatchObject({ ok: true, prompt: 'a red fox in the snow' });
    expect(out.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof out.messageId).toBe('string');
    expect(out.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attachments\/.+\.png/);
    expect(typeof out.durationMs).toBe('number');
  });

  it('prints the typed error for a Midjourney outcome, exit 3', async () => {
    const { code, stdout } = await cli(['imagine', '--json', 'a cat --foo bar']);
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: false,
      error: { name: 'InvalidRequestError', code: 'INVALID_REQUEST', retryable: false },
    });
  });

  it('refuses a missing prompt with exit 2', async () => {
    const { code, stderr } = await cli(['imagine', '--json']);
    expect(code).toBe(2);
    expect(stderr).toContain('missing "<prompt>"');
  });
});
