import { readFile } from 'node:fs/promises';
import { ErrorCode } from '@sdxl-trainer/errors';
import type { BadSampleLog } from './badSample.js';
import { parseCsv } from './parseCsv.js';

/** One data row of a metadata file: its values and its 0-based data row (the line for messages is `line`). */
export interface MetadataRow {
  readonly values: Readonly<Record<string, unknown>>;
  readonly row: number;
  readonly line: number;
}

/**
 * Read `metadata.jsonl` (one JSON object per line) or `metadata.csv` (a header row, then data) of an imagefolder.
 * A line that is not a JSON object, or a CSV row with the wrong number of cells, goes to `log` (thrown or skipped)
 * naming `name` and the line. Empty CSV cells are missing values, as pandas reads them.
 */
export async function readMetadataFile(path: string, name: string, log: BadSampleLog): Promise<MetadataRow[]> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  return name.endsWith('.csv') ? fromCsv(text, name, log) : fromJsonl(text, name, log);
}

function fromJsonl(text: string, name: string, log: BadSampleLog): MetadataRow[] {
  const rows: MetadataRow[] = [];
  let row = 0;
  text.split(/\r?\n/).forEach((content, i) => {
    if (content.trim() === '') return;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      log.report(ErrorCode.DATA_METADATA_INVALID, { file: name, row }, `line ${line} is not valid JSON (${(error as Error).message})`, error);
      row++;
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      log.report(ErrorCode.DATA_METADATA_INVALID, { file: name, row }, `line ${line} is not a JSON object`);
    } else rows.push({ values: value as Record<string, unknown>, row, line });
    row++;
  });
  return rows;
}

function fromCsv(text: string, name: string, log: BadSampleLog): MetadataRow[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    log.report(ErrorCode.DATA_METADATA_INVALID, { file: name, row: 0 }, (error as Error).message, error);
    return [];
  }
  const [header, ...data] = records;
  if (!header) return [];
  const rows: MetadataRow[] = [];
  data.forEach((record, row) => {
    if (record.cells.length !== header.cells.length) {
      log.report(ErrorCode.DATA_METADATA_INVALID, { file: name, row }, `line ${record.line} has ${record.cells.length} cells, the header has ${header.cells.length}`);
      return;
    }
    const values: Record<string, unknown> = {};
    header.cells.forEach((key, i) => (values[key] = record.cells[i] === '' ? null : record.cells[i]));
    rows.push({ values, row, line: record.line });
  });
  return rows;
}
