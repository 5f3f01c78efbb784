import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toUint8 } from './postprocess.js';
import { openReference } from './testing/reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toUint8', () => {
  it("turns the fixture's image_np into exactly its image_uint8 ((image_np * 255).round() as uint8)", async () => {
    const reference = await openReference('pipeline.safetensors');
    const float = await reference.readFloat32('image_np');
    const bytes = (await reference.read('image_uint8')).data as Uint8Array;
    await reference.close();
    expect(toUint8(float)).toEqual(bytes);
  });

  it("rounds halves to even, as NumPy's round does, after a float32 multiply", () => {
    // values whose float32 product with 255 is exactly k + 0.5
    const halves: number[] = [];
    const expected: number[] = [];
    for (let k = 0; k < 255; k++) {
      const x = Math.fround((k + 0.5) / 255);
      if (Math.fround(x * 255) !== k + 0.5) continue;
      halves.push(x);
      expected.push(k % 2 === 0 ? k : k + 1);
    }
    expect(halves.length).toBeGreaterThan(20);
    expect([...toUint8(Float32Array.from(halves))]).toEqual(expected);
    expect([...toUint8(Float32Array.of(0, 1, 0.2, 0.9999))]).toEqual([0, 255, 51, 255]);
  });
});
