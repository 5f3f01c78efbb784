import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@sdxl-trainer/tensor';
import { describe, expect, it } from 'vitest';
import { BlockwiseQuantizer, type BucketizeMethod } from './BlockwiseQuantizer.js';
import { createDynamicMap, dynamicMapThresholds, type DynamicMap } from './dynamicMap.js';
import { unpackCodes } from './packCodes.js';
import { referenceQuantize, seededRandom, spreadValues } from './testing/reference.js';

const BLOCK = 64;
const MAPS: Array<[string, DynamicMap]> = [
  ['signed', createDynamicMap(true)],
  ['unsigned', createDynamicMap(false)],
];

/** Test values: blocks of different scales, an all-zero block, a block with one value, ±0, signs as the map needs. */
function testValues(signed: boolean): Float32Array {
  const values = spreadValues(BLOCK * 40, BLOCK, 11);
  values.fill(0, 3 * BLOCK, 4 * BLOCK);
  values.fill(0, 5 * BLOCK, 6 * BLOCK);
  values[5 * BLOCK + 7] = -3.5;
  values[8 * BLOCK + 1] = -0;
  values[8 * BLOCK + 2] = 1e-30;
  return signed ? values : values.map(Math.abs);
}

/** Half the largest distance from any point of the normalised range to its nearest map value. */
function worstHalfGap(map: DynamicMap): number {
  const v = map.values;
  const gaps = Array.from(v.subarray(1), (x, i) => (x - v[i]!) / 2);
  return Math.max(...gaps, map.signed ? 1 + v[0]! : 0, 1 - v[255]!);
}

for (const backend of ['cpu', 'wasm'] as const) {
  for (const method of ['searchSorted', 'binarySearch'] as const satisfies readonly BucketizeMethod[]) {
    describe(`BlockwiseQuantizer on ${backend} (${method})`, () => {
      const withQuantizer = async (map: DynamicMap, run: (q: BlockwiseQuantizer) => void) => {
        await initBackend({ backend, threads: 1 });
        const quantizer = new BlockwiseQuantizer(map, method);
        try {
          tf.tidy(() => run(quantizer));
        } finally {
          quantizer.dispose();
        }
      };

      for (const [label, map] of MAPS) {
        it(`${label}: codes and absmax equal a scalar nearest-code scan (bitsandbytes' midpoints and sign rule)`, async () => {
          const values = testValues(map.signed);
          const expected = referenceQuantize(map, values, BLOCK);
          await withQuantizer(map, (q) => {
            const { packed, absmax } = q.quantize(tf.tensor1d(values), BLOCK);
            expect(Array.from(absmax.dataSync())).toEqual(Array.from(expected.absmax));
            expect(Array.from(unpackCodes(packed).dataSync())).toEqual(Array.from(expected.codes));
          });
        });

        it(`${label}: round trip error per block is at most half the largest map gap × the block's absmax`, async () => {
          const values = testValues(map.signed);
          const bound = worstHalfGap(map);
          await withQuantizer(map, (q) => {
            const quantized = q.quantize(tf.tensor1d(values), BLOCK);
            const restored = q.dequantize(quantized).dataSync();
            const absmax = quantized.absmax.dataSync();
            for (let b = 0; b < absmax.length; b++) {
              let worst = 0;
              for (let i = b * BLOCK; i < (b + 1) * BLOCK; i++) worst = Math.max(worst, Math.abs(restored[i]! - values[i]!));
              // float32 rounding of the division and the product adds at most a few ulps of absmax
              expect(worst).toBeLessThanOrEqual(bound * absmax[b]! + 4 * 2 ** -24 * absmax[b]!);
            }
            expect(Array.from(restored.subarray(3 * BLOCK, 4 * BLOCK)).every((x) => x === 0)).toBe(true);
          });
        });

        it(`${label}: a value on a threshold takes the upper code; map values and values just below thresholds keep theirs`, async () => {
          const thresholds = dynamicMapThresholds(map);
          const below = thresholds.map((t) => nextDown(t));
          await withQuantizer(map, (q) => {
            expect(Array.from(q.codes(tf.tensor1d(thresholds)).dataSync())).toEqual(Array.from(thresholds, (_, c) => c + 1));
            expect(Array.from(q.codes(tf.tensor1d(below)).dataSync())).toEqual(Array.from(below, (_, c) => c));
            expect(Array.from(q.codes(tf.tensor1d(map.values)).dataSync())).toEqual(Array.from(map.values, (_, c) => c));
          });
        });

        it(`${label}: dequantise then quantise gives back the same codes and absmax`, async () => {
          const random = seededRandom(5);
          const codes = Int32Array.from({ length: BLOCK * 16 }, (_, i) => (i % BLOCK === 9 ? 255 : Math.floor(random() * 256)));
          const absmax = Float32Array.from({ length: 16 }, () => 10 ** (random() * 8 - 4));
          await withQuantizer(map, (q) => {
            const values = tf.mul(tf.reshape(tf.gather(tf.tensor1d(map.values), tf.tensor1d(codes, 'int32')), [16, BLOCK]), tf.expandDims(tf.tensor1d(absmax), 1));
            const again = q.quantize(tf.reshape(values, [-1]), BLOCK);
            expect(Array.from(unpackCodes(again.packed).dataSync())).toEqual(Array.from(codes));
            expect(Array.from(again.absmax.dataSync())).toEqual(Array.from(absmax));
            const twice = q.quantize(q.dequantize(again), BLOCK);
            expect(Array.from(unpackCodes(twice.packed).dataSync())).toEqual(Array.from(codes));
          });
        });
      }

      it('signed: tiny negative values keep a negative code, zero and tiny positive values get code 127 (zero)', async () => {
        const map = createDynamicMap(true);
        await withQuantizer(map, (q) => {
          expect(Array.from(q.codes(tf.tensor1d([-1e-9, -2e-7, -0, 0, 1e-9, 2e-7])).dataSync())).toEqual([126, 126, 127, 127, 127, 127]);
        });
      });
    });
  }
}

/** The largest float32 below `x` (x > 0 or x ≤ 0 alike). */
function nextDown(x: number): number {
  const bits = new Float32Array([x]);
  const ints = new Int32Array(bits.buffer);
  if (x === 0) return -(2 ** -149);
  ints[0]! += x > 0 ? -1 : 1;
  return bits[0]!;
}
