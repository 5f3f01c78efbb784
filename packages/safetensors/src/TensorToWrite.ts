import type { Dtype, TensorArray } from './dtype.js';

/**
 * Where a tensor's values come from when writing: the array itself, or a function that produces it when the writer
 * reaches that tensor (so a large model can be written without holding every array in memory at once).
 */
export type TensorSource = TensorArray | (() => TensorArray | Promise<TensorArray>);

/**
 * One tensor to write. `data` is given in the JS type that matches `dtype` (see `arrayTypeName`): for F16/BF16 pass a
 * Float32Array and it is encoded with round-to-nearest-even; for BOOL a Uint8Array of 0/1.
 */
export interface TensorToWrite {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorSource;
}
