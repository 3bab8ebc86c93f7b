import { Writable } from 'node:stream';
import type { CommandContext } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/main.js';

/** A writable that keeps what it was given; `columns`/`isTTY` settable for TTY tests. */
export function sink(): Writable & { text: () => string; isTTY?: boolean; columns?: number } {
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

/** A writable whose `text` is everything written to it so far. */
export function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

/** Runs one command line in-process; returns its exit code and what it printed. */
export async function cli(
  argv: string[],
  env: Record<string, string> = {},
  extra: Partial<Omit<CommandContext, 'argv' | 'env'>> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, {
    env,
    stdout,
    stderr,
    signal: new AbortController().signal,
    ...extra,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
