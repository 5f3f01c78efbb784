import { SdxlError, ErrorCode } from '@sdxl-trainer/errors';

/** How {@link CLIPTokenizer.encode} pads and truncates. */
export interface EncodeOptions {
  /**
   * `'max_length'` pads every row to `maxLength`; `'longest'` pads to the longest row of the batch; `false` does
   * not pad (a batch must then come out rectangular). Default `'max_length'`, as SDXL training uses.
   */
  readonly padding?: 'max_length' | 'longest' | false;
  /** Cut rows to `maxLength` ids, BOS and EOS included (the first `maxLength - 2` text ids are kept). Default `true`. */
  readonly truncation?: boolean;
  /** Row length for truncation and `'max_length'` padding. Default: the tokenizer's `modelMaxLength` (77). */
  readonly maxLength?: number;
}

/**
 * Token ids for a batch of texts, row-major `[batch, length]` int32, ready for `tf.tensor2d(inputIds, shape, 'int32')`.
 * A single text gives a batch of one.
 */
export interface BatchEncoding {
  /** `[batch, length]` token ids, BOS first and EOS after the text, then padding. */
  readonly inputIds: Int32Array;
  /** `[batch, length]`: 1 for real tokens (BOS and EOS included), 0 for padding. */
  readonly attentionMask: Int32Array;
  readonly shape: readonly [batch: number, length: number];
}

/** The special ids a row is framed and padded with. */
export interface FrameIds {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number | undefined;
}

/**
 * Frames each row as `[bos, ...ids, eos]` (transformers `build_inputs_with_special_tokens`), truncating the text
 * ids on the right and padding on the right as transformers `__call__` does with the same options.
 */
export function buildBatch(rows: readonly (readonly number[])[], frame: FrameIds, options: Required<EncodeOptions>): BatchEncoding {
  const { padding, truncation, maxLength } = options;
  const framed = rows.map((ids) => [frame.bos, ...(truncation ? ids.slice(0, maxLength - 2) : ids), frame.eos]);
  const longest = framed.reduce((max, row) => Math.max(max, row.length), 0);
  // why: as in transformers, 'max_length' never cuts; without truncation a longer row keeps its length.
  const padded = framed.map((row) => (padding === 'max_length' ? Math.max(maxLength, row.length) : padding === 'longest' ? longest : row.length));
  const length = padded[0] ?? (padding === 'max_length' ? maxLength : 0);
  if (padded.some((rowLength) => rowLength !== length)) {
    throw new SdxlError(
      ErrorCode.TOKENIZER_INVALID_ARGUMENT,
      `encode: the rows would have different lengths (${padded.join(', ')}), so they cannot form one [batch, length] ` +
        `array: pass truncation: true with padding 'max_length', or padding 'longest', or encode the texts one by one`,
      { details: { lengths: padded } },
    );
  }
  if (framed.some((row) => row.length < length) && frame.pad === undefined) {
    throw new SdxlError(ErrorCode.TOKENIZER_INVALID_ARGUMENT, 'encode: padding was asked for but the tokenizer has no pad_token');
  }
  const inputIds = new Int32Array(framed.length * length).fill(frame.pad ?? 0);
  const attentionMask = new Int32Array(framed.length * length);
  framed.forEach((row, index) => {
    inputIds.set(row, index * length);
    attentionMask.fill(1, index * length, index * length + row.length);
  });
  return { inputIds, attentionMask, shape: [framed.length, length] };
}
