/**
 * `.csv` input: a header row with a `prompt` column (and optionally `id`); every other column is
 * kept as meta, by header name.
 */
import type { InputProblem } from '../errors.js';
import type { BatchPrompt } from '../prompt.js';
import { splitCsvRecords } from './csv-records.js';
import type { ParsedLines } from './txt.js';
import { checkId, checkPrompt, deriveId } from './validate.js';

export function parseCsv(text: string, file: string): ParsedLines {
  const prompts: BatchPrompt[] = [];
  const problems: InputProblem[] = [];
  const [header, ...rows] = splitCsvRecords(text);
  if (header === undefined) return { prompts, problems };
  if ('error' in header) {
    problems.push({ file, line: header.line, reason: `header row: ${header.error}` });
    return { prompts, problems };
  }
  const names = header.fields.map((name) => name.trim());
  const promptColumn = names.findIndex((name) => name.toLowerCase() === 'prompt');
  const idColumn = names.findIndex((name) => name.toLowerCase() === 'id');
  const duplicate = names.find((name, index) => name !== '' && names.indexOf(name) !== index);
  if (promptColumn < 0 || duplicate !== undefined) {
    const reason =
      promptColumn < 0
        ? `header row has no "prompt" column (found: ${names.map((n) => JSON.stringify(n)).join(', ')})`
        : `header row names the column ${JSON.stringify(duplicate)} twice`;
    problems.push({ file, line: header.line, reason });
    return { prompts, problems };
  }
  for (const row of rows) {
    const { line } = row;
    if ('error' in row) {
      problems.push({ file, line, reason: row.error });
      continue;
    }
    if (row.fields.length !== names.length) {
      problems.push({
        file,
        line,
        reason: `expected ${names.length} fields like the header, found ${row.fields.length}`,
      });
      continue;
    }
    const prompt = checkPrompt(row.fields[promptColumn]);
    if (!prompt.ok) {
      problems.push({ file, line, reason: prompt.reason });
      continue;
    }
    let id = deriveId(line, prompt.value);
    const givenId = idColumn >= 0 ? row.fields[idColumn]?.trim() : '';
    if (givenId !== undefined && givenId !== '') {
      const checked = checkId(givenId);
      if (!checked.ok) {
        problems.push({ file, line, reason: checked.reason });
        continue;
      }
      id = checked.value;
    }
    const meta: Record<string, unknown> = {};
    names.forEach((name, index) => {
      if (index !== promptColumn && index !== idColumn)
        meta[name || `column${index + 1}`] = row.fields[index];
    });
    prompts.push({ id, prompt: prompt.value, actions: [], meta, line });
  }
  return { prompts, problems };
}
