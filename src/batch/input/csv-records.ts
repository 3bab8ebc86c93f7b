/**
 * An RFC 4180 record splitter: comma-separated fields, fields in double quotes may hold commas,
 * line breaks and `""` for a quote; CRLF or LF line ends. Each record carries the line it starts
 * on, and a malformed one (bare quote, text after a closing quote, quote never closed) carries the
 * reason instead of fields, so one bad record does not hide the others.
 * https://www.rfc-editor.org/rfc/rfc4180#section-2
 */
export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

export function splitCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    // One record: fields until an unquoted line break or the end.
    for (;;) {
      let field = '';
      if (source[i] === '"') {
        i += 1;
        let closed = false;
        while (i < source.length) {
          const ch = source[i];
          if (ch === '"') {
            if (source[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (ch === '\n') line += 1;
          field += ch;
          i += 1;
        }
        if (!closed) {
          error ??= 'quoted field is never closed';
        } else if (i < source.length && source[i] !== ',' && source[i] !== '\n' && source[i] !== '\r') {
          error ??= 'text after a closing quote (a quote inside a field must be doubled: "")';
        }
      }
      // Unquoted text (or what follows a malformed quoted field) up to the next comma or line break.
      while (i < source.length && source[i] !== ',' && source[i] !== '\n' && source[i] !== '\r') {
        if (source[i] === '"') error ??= 'a quote inside an unquoted field (quote the whole field)';
        field += source[i];
        i += 1;
      }
      fields.push(field);
      if (source[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    if (source[i] === '\r') i += 1;
    if (source[i] === '\n') i += 1;
    line += 1;
    // A blank line is no record (RFC 4180 would make it one empty field; nobody means that).
    if (error === undefined && fields.length === 1 && fields[0] === '') continue;
    records.push(error === undefined ? { line: start, fields } : { line: start, error });
  }
  return records;
}
