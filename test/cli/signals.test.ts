/** Real signals through the bin launcher: Ctrl-C in `mjw imagine` finishes the job, twice aborts it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/mjw.js', import.meta.url));

function imagineInterrupted(
  signals: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'imagine', '--json', 'a red fox in the snow'], {
      env: {
        ...process.env,
        DISCORD_TOKEN: '',
        DISCORD_GUILD_ID: '',
        DISCORD_CHANNEL_ID: '',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('submitted')) {
        sent = true;
        child.kill('SIGINT');
        if (signals === 2) {
          // The second once the first was acknowledged, as a person pressing Ctrl-C twice.
          const again = (): void => {
            if (stderr.includes('finishing jobs in flight')) child.kill('SIGINT');
            else setTimeout(again, 10);
          };
          again();
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mjw imagine and SIGINT (child process)', () => {
  it('the first lets the job finish: its result, exit 0', async () => {
    const { code, stdout, stderr } = await imagineInterrupted(1);
    expect(stderr).toContain('finishing jobs in flight');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
  }, 30_000);

  it('the second aborts it: one JSON object with ABORTED, exit 1', async () => {
    const { code, stdout, stderr } = await imagineInterrupted(2);
    expect(stderr).toContain('aborting the jobs in flight');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  }, 30_000);
});
