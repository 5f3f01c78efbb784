import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@sdxl-trainer/tensor';
import { describe, expect, it } from 'vitest';
import { packCodes, unpackCodes } from './packCodes.js';

/** Every byte value at every position of a quad, with the other three bytes drawn from the edge values. */
function exhaustiveQuads(): Uint8Array {
  const edges = [0, 127, 128, 255];
  const bytes: number[] = [];
  for (let position = 0; position < 4; position++) {
    for (let value = 0; value < 256; value++) {
      for (let others = 0; others < 64; others++) {
        const quad = [edges[others % 4]!, edges[(others >> 2) % 4]!, edges[(others >> 4) % 4]!];
        quad.splice(position, 0, value);
        bytes.push(...quad);
      }
    }
  }
  return Uint8Array.from(bytes);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`packCodes / unpackCodes on ${backend}`, () => {
    it('pack every byte at every position (65 536 quads) into the int32 whose little-endian bytes they are, and back', async () => {
      await initBackend({ backend, threads: 1 });
      const bytes = exhaustiveQuads();
      // the independent reference: the same bytes read as int32 (little-endian on every platform Node runs on)
      const expected = new Int32Array(bytes.buffer.slice(0));
      tf.tidy(() => {
        const packed = packCodes(tf.tensor1d(Array.from(bytes), 'int32'));
        expect(packed.dtype).toBe('int32');
        expect(packed.shape).toEqual([bytes.length / 4]);
        expect(Array.from(packed.dataSync())).toEqual(Array.from(expected));
        expect(Array.from(unpackCodes(packed).dataSync())).toEqual(Array.from(bytes));
      });
    });

    it('unpack the int32 extremes byte for byte', async () => {
      await initBackend({ backend, threads: 1 });
      const words = Int32Array.from([2147483647, -2147483648, -1, 0, 1, 16777215, -16777216, 0x7f7f7f7f, -2130706433]);
      tf.tidy(() => {
        expect(Array.from(unpackCodes(tf.tensor1d(Array.from(words), 'int32')).dataSync())).toEqual(Array.from(new Uint8Array(words.buffer)));
      });
    });
  });
}
