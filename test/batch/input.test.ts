import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchInputError } from '../../src/batch/errors.js';
import { splitCsvRecords } from '../../src/batch/input/csv-records.js';
import { parseInput, readInput } from '../../src/batch/input/read-input.js';
import { checkId, deriveId } from '../../src/batch/input/validate.js';

describe('txt input', () => {
  it('takes one prompt a line, skipping blank lines and # comments, with ids from line and prompt', () => {
    const input = parseInput('# header\n\na red fox\r\n  a blue cat  \n#another\n', 'p.txt');
    expect(input.prompts.map((p) => [p.line, p.prompt])).toEqual([
      [3, 'a red fox'],
      [4, 'a blue cat'],
    ]);
    expect(input.prompts[0]?.id).toBe(deriveId(3, 'a red fox'));
    expect(input.prompts[0]?.id).toMatch(/^L3-[0-9a-f]{8}$/);
    expect(input.problems).toEqual([]);
  });

  it('derives the same id from the same line, a different one when the text changes', () => {
    expect(deriveId(3, 'a red fox')).toBe(deriveId(3, 'a red fox'));
    expect(deriveId(3, 'a red fox')).not.toBe(deriveId(3, 'a red dog'));
    expect(deriveId(3, 'a red fox')).not.toBe(deriveId(4, 'a red fox'));
  });

  it('reports an over-long prompt with file:line and keeps the others', () => {
    const input = parseInput(`ok\n${'x'.repeat(6_001)}\n`, 'p.txt');
    expect(input.prompts).toHaveLength(1);
    expect(input.problems).toEqual([
      { file: 'p.txt', line: 2, reason: expect.stringMatching(/6001 characters, over the 6000 limit/) },
    ]);
  });
});

describe('jsonl input', () => {
  const text = [
    '{"id":"fox","prompt":"a red fox","actions":["U1","V2"],"meta":{"batch":7}}',
    '{"prompt":"no id here"}',
    '{"prompt":',
    '[1,2]',
    '{"promt":"typo"}',
    '{"prompt":"  "}',
    '{"id":"bad id!","prompt":"x"}',
    '{"prompt":"x","actions":["U5"]}',
    '{"prompt":"x","meta":[1]}',
    '{"id":"fox","prompt":"again"}',
    '{"prompt":"two\\nlines"}',
    '',
  ].join('\n');

  it('keeps the valid lines with their fields', () => {
    const input = parseInput(text, 'in.jsonl');
    expect(input.prompts).toEqual([
      { id: 'fox', prompt: 'a red fox', actions: ['U1', 'V2'], meta: { batch: 7 }, line: 1 },
      { id: deriveId(2, 'no id here'), prompt: 'no id here', actions: [], meta: {}, line: 2 },
    ]);
  });

  it('reports every bad line with its line number and reason', () => {
    const { problems } = parseInput(text, 'in.jsonl');
    const byLine = Object.fromEntries(problems.map((p) => [p.line, p.reason]));
    expect(problems.every((p) => p.file === 'in.jsonl')).toBe(true);
    expect(byLine[3]).toMatch(/^invalid JSON/);
    expect(byLine[4]).toMatch(/expected a JSON object/);
    expect(byLine[5]).toMatch(/unknown field "promt"/);
    expect(byLine[6]).toBe('empty prompt');
    expect(byLine[7]).toMatch(/invalid id "bad id!"/);
    expect(byLine[8]).toMatch(/unknown action "U5"/);
    expect(byLine[9]).toMatch(/"meta" must be a JSON object/);
    expect(byLine[10]).toBe('duplicate id "fox" (first used at line 1)');
    expect(byLine[11]).toBe('prompt must be a single line');
    expect(problems).toHaveLength(9);
  });

  it('--strict refuses the whole file, listing the bad lines', () => {
    let error: unknown;
    try {
      parseInput(text, 'in.jsonl', { strict: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BatchInputError);
    const e = error as BatchInputError;
    expect(e.code).toBe('BATCH_INPUT_INVALID');
    expect(e.problems).toHaveLength(9);
    expect(e.message).toContain('9 bad lines; nothing was sent (--strict)');
    expect(e.message).toContain('in.jsonl:3: invalid JSON');
  });
});

describe('csv input', () => {
  it('splits RFC 4180 records: quotes, doubled quotes, commas and line breaks inside quotes, CRLF', () => {
    const records = splitCsvRecords('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z\n\nlast,\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', 'z'] },
      { line: 6, fields: ['last', ''] },
    ]);
  });

  it('reports malformed quoting at the record line and goes on', () => {
    const records = splitCsvRecords('a,b\nx"y,1\n"ok"tail,2\nfine,3\n"never closed,4\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, error: expect.stringMatching(/quote inside an unquoted field/) },
      { line: 3, error: expect.stringMatching(/text after a closing quote/) },
      { line: 4, fields: ['fine', '3'] },
      { line: 5, error: 'quoted field is never closed' },
    ]);
  });

  it('uses the prompt column, an optional id column, and keeps the rest as meta', () => {
    const input = parseInput(
      '\uFEFFid,Prompt,style,seed\nfox,"a fox, red",photo,1\n,a cat,sketch,2\nshort,row\nx,,a,b\n',
      'in.csv',
    );
    expect(input.prompts).toEqual([
      { id: 'fox', prompt: 'a fox, red', actions: [], meta: { style: 'photo', seed: '1' }, line: 2 },
      {
        id: deriveId(3, 'a cat'),
        prompt: 'a cat',
        actions: [],
        meta: { style: 'sketch', seed: '2' },
        line: 3,
      },
    ]);
    expect(input.problems).toEqual([
      { file: 'in.csv', line: 4, reason: 'expected 4 fields like the header, found 2' },
      { file: 'in.csv', line: 5, reason: 'empty prompt' },
    ]);
  });

  it('refuses a file without a prompt column', () => {
    expect(() => parseInput('title,seed\nfox,1\n', 'in.csv')).toThrowError(
      /no prompt to run\n {2}in.csv:1: header row has no "prompt" column/,
    );
  });
});

describe('reading files', () => {
  it('reads by extension and refuses unknown types and missing files with a typed error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-input-'));
    await writeFile(join(dir, 'a.txt'), 'one\ntwo\n');
    expect((await readInput(join(dir, 'a.txt'))).prompts).toHaveLength(2);
    await expect(readInput(join(dir, 'a.yaml'))).rejects.toThrowError(/unsupported input type ".yaml"/);
    await expect(readInput(join(dir, 'missing.txt'))).rejects.toBeInstanceOf(BatchInputError);
    await expect(readInput(join(dir, 'missing.txt'))).rejects.toThrowError(/cannot read the input/);
  });

  it('refuses a file with nothing to run', () => {
    expect(() => parseInput('# only comments\n\n', 'x.txt')).toThrowError(BatchInputError);
  });

  it('keeps ids safe as file names', () => {
    expect(checkId('a.b_c-1').ok).toBe(true);
    expect(checkId('../etc').ok).toBe(false);
    expect(checkId('a/b').ok).toBe(false);
    expect(checkId('').ok).toBe(false);
    expect(checkId('x'.repeat(101)).ok).toBe(false);
  });
});
