/** Ctrl-C in `mjw imagine`: the first finishes the job in flight, the second aborts it. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { imagineCommand } from '../../src/cli/commands/imagine.js';
import { runCli } from '../../src/cli/main.js';
import { sink } from './helpers.js';

/** stderr that calls `onSubmitted` once the job was sent. */
function stderrWatching(onSubmitted: () => void): Writable & { text: () => string } {
  let text = '';
  let fired = false;
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      text += chunk.toString();
      if (!fired && text.includes('submitted')) {
        fired = true;
        onSubmitted();
      }
      done();
    },
  }) as Writable & { text: () => string };
  stream.text = () => text;
  return stream;
}

async function interrupted(times: 1 | 2) {
  const graceful = new AbortController();
  const force = new AbortController();
  const stdout = sink();
  const stderr = stderrWatching(() => {
    graceful.abort(new Error('Interrupted by SIGINT'));
    if (times === 2) force.abort(new DOMException('Interrupted twice by SIGINT', 'AbortError'));
  });
  const code = await runCli(['imagine', '--json', 'a red fox in the snow'], {
    env: {},
    stdout,
    stderr,
    signal: graceful.signal,
    force: force.signal,
  });
  return { code, out: JSON.parse(stdout.text()) as Record<string, unknown>, err: stderr.text() };
}

describe('mjw imagine, interrupted', () => {
  it('declares that it finishes jobs in flight', () => {
    expect(imagineCommand.finishesInFlight).toBe(true);
  });

  it('the first Ctrl-C lets the job in flight finish, and its result is printed', async () => {
    const { code, out, err } = await interrupted(1);
    expect(err).toContain('waiting for the job in flight to finish');
    expect(code).toBe(0);
    expect(out).toMatchObject({ ok: true });
  });

  it('the second Ctrl-C aborts it: one JSON object, ABORTED', async () => {
    const { code, out } = await interrupted(2);
    expect(code).toBe(1);
    expect(out).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  });
});
