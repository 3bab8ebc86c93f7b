/** `mjw batch`: prompts from stdin, --format for files without an extension, --resume on a first run. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'mjw-batch-input-'));
const results = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { prompt: string; ok: boolean });

describe('mjw batch inputs', () => {
  it('"-" reads the prompts from stdin (txt by default)', async () => {
    const out = join(scratch(), 'r.jsonl');
    const stdin = Readable.from(['a red fox\n# a comment\n', 'a blue whale\n']);
    const { code, stderr } = await cli(['batch', '-', '--out', out], {}, { stdin });
    expect(stderr).not.toContain('skipped');
    expect(code).toBe(0);
    expect(
      results(out)
        .map((r) => r.prompt)
        .sort(),
    ).toEqual(['a blue whale', 'a red fox']);
  });

  it('--format names the type of a file without an extension, and --resume starts a first run', async () => {
    const dir = scratch();
    const input = join(dir, 'prompts');
    writeFileSync(input, '{"id":"fox","prompt":"a red fox"}\n');
    const out = join(dir, 'r.jsonl');
    const refused = await cli(['batch', input, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--format txt|jsonl|csv names it');
    const { code, stderr } = await cli(['batch', input, '--format', 'jsonl', '--resume', '--out', out]);
    expect(stderr).toContain('--resume: no journal yet, starting a new run');
    expect(code).toBe(0);
    expect(results(out)).toMatchObject([{ prompt: 'a red fox', ok: true }]);
  });

  it('refuses an unknown --format', async () => {
    const { code, stderr } = await cli(['batch', '-', '--format', 'xml', '--out', 'r.jsonl']);
    expect(code).toBe(2);
    expect(stderr).toContain('--format: expected txt, jsonl, csv, got "xml"');
  });
});
