/** One CSV record: its cells and the 1-based line it starts on. */
export interface CsvRecord {
  readonly cells: string[];
  readonly line: number;
}

/**
 * Parse RFC 4180 CSV (what pandas and spreadsheets write): `,` separated, `"` quoted cells with `""` escapes and
 * line breaks inside quotes, `\n` or `\r\n` rows, blank lines skipped. Throws `SyntaxError` naming the line of an
 * unterminated quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let touched = false;
  const endRecord = (): void => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell !== '') records.push({ cells, line: start });
    cells = [];
    cell = '';
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
      touched = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) throw new SyntaxError(`unterminated quoted cell starting on line ${start}`);
  if (cell !== '' || cells.length > 0 || touched) endRecord();
  return records;
}
