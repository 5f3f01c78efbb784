// Test helpers: parquet files with exactly the schema 🤗 Datasets writes (excluded from the build).
import { parquetWriteBuffer } from 'hyparquet-writer';

/** One row of a generated dataset. */
export interface FixtureRow {
  readonly image: Uint8Array | null;
  readonly path?: string | null;
  readonly text: string | readonly string[] | null;
}

/** Options of {@link hfParquet}. */
export interface HfParquetOptions {
  /** Rows per row group (datasets uses 100 for image datasets). */
  readonly rowGroupSize?: number;
  /** Store `text` as `Sequence(Value("string"))` (a list) instead of `Value("string")`. */
  readonly captionList?: boolean;
  /** Rename the caption column. */
  readonly captionColumn?: string;
  /** Write no `huggingface` metadata. */
  readonly noFeatures?: boolean;
}

const STRING = { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } } as const;

/**
 * A parquet file as `Dataset.push_to_hub` / `to_parquet` writes an `{image: Image(), text: Value("string")}`
 * dataset: `image` an optional struct `{bytes: binary, path: string}`, `text` an optional string (or a 3-level LIST
 * of strings), and the features in the `huggingface` key-value metadata.
 */
export function hfParquet(rows: readonly FixtureRow[], options: HfParquetOptions = {}): Uint8Array {
  const caption = options.captionColumn ?? 'text';
  const captionSchema = options.captionList
    ? [
        { name: caption, repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'OPTIONAL', ...STRING },
      ]
    : [{ name: caption, repetition_type: 'OPTIONAL', ...STRING }];
  const features = {
    image: { _type: 'Image' },
    [caption]: options.captionList ? { feature: { dtype: 'string', _type: 'Value' }, _type: 'Sequence' } : { dtype: 'string', _type: 'Value' },
  };
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'image', data: rows.map((r) => (r.image === null && r.path == null ? null : { bytes: r.image, path: r.path ?? null })) },
      { name: caption, data: rows.map((r) => r.text as never) },
    ],
    schema: [
      { name: 'schema', num_children: 2 },
      { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'path', repetition_type: 'OPTIONAL', ...STRING },
      ...captionSchema,
    ] as never,
    rowGroupSize: options.rowGroupSize ?? 100,
    kvMetadata: options.noFeatures ? [] : [{ key: 'huggingface', value: JSON.stringify({ info: { features } }) }],
  });
  return new Uint8Array(buffer);
}

/** A parquet file with some other schema (e.g. a tabular dataset). */
export function otherParquet(): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'id', data: [1, 2, 3], type: 'INT32' },
        { name: 'label', data: ['a', 'b', 'c'], type: 'STRING' },
      ],
    }),
  );
}
