import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dLayout, identityLayout, linearLayout } from './ParameterLayout.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

beforeAll(async () => {
  await setTestBackend();
});

const ramp = (size: number) => Float32Array.from({ length: size }, (_, i) => i * 0.5 - 3);

describe('parameter layouts', () => {
  it('linear: PyTorch [out, in] becomes [in, out], the same as tf.transpose, and converts back', () => {
    const shape = [3, 5];
    const data = ramp(15);
    const compute = linearLayout.toCompute(data, shape);
    expect(linearLayout.computeShape(shape)).toEqual([5, 3]);
    expect(Array.from(compute)).toEqual(Array.from(tf.transpose(tf.tensor2d(data, [3, 5])).dataSync()));
    expect(linearLayout.toPyTorch(compute, shape)).toEqual(data);
  });

  it('conv2d: PyTorch OIHW becomes HWIO, the same as tf.transpose(w, [2, 3, 1, 0]), and converts back', () => {
    const shape = [4, 3, 2, 5];
    const data = ramp(4 * 3 * 2 * 5);
    const compute = conv2dLayout.toCompute(data, shape);
    expect(conv2dLayout.computeShape(shape)).toEqual([2, 5, 3, 4]);
    expect(Array.from(compute)).toEqual(Array.from(tf.transpose(tf.tensor4d(data, [4, 3, 2, 5]), [2, 3, 1, 0]).dataSync()));
    expect(conv2dLayout.toPyTorch(compute, shape)).toEqual(data);
  });

  it('identity keeps shape and data', () => {
    const data = ramp(6);
    expect(identityLayout.computeShape([2, 3])).toEqual([2, 3]);
    expect(identityLayout.toCompute(data, [2, 3])).toBe(data);
  });

  it('rejects a shape of the wrong rank', () => {
    expect(() => linearLayout.computeShape([2, 3, 4])).toThrow(/rank-2/);
    expect(() => conv2dLayout.computeShape([2, 3])).toThrow(/rank-4/);
  });
});
