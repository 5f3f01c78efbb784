import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear } from './Linear.js';
import { withParameterTensors } from './withParameterTensors.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

beforeAll(async () => {
  await setTestBackend();
});

describe('withParameterTensors', () => {
  it('makes a module compute with the bound tensors, then with its variables again (also after a throw)', () => {
    const linear = new Linear(2, 3).initialize(1);
    const x = tf.tensor2d([[1, 2]]);
    const own = Array.from(linear.forward(x).dataSync());
    const parameters = [linear.weight, linear.bias!];
    const zeroWeight = tf.zeros([2, 3]);
    const bias = tf.tensor1d([1, 2, 3]);
    const bound = withParameterTensors(parameters, [zeroWeight, bias], () => Array.from(linear.forward(x).dataSync()));
    expect(bound).toEqual([1, 2, 3]);
    expect(Array.from(linear.forward(x).dataSync())).toEqual(own);
    expect(() => withParameterTensors(parameters, [zeroWeight, bias], () => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(Array.from(linear.forward(x).dataSync())).toEqual(own);
  });

  it('refuses a tensor whose shape is not the compute shape, and a count mismatch', () => {
    const linear = new Linear(2, 3).initialize(1);
    expect(() => withParameterTensors([linear.weight], [tf.zeros([3, 2])], () => 0)).toThrow(RangeError);
    expect(() => withParameterTensors([linear.weight], [], () => 0)).toThrow(RangeError);
  });
});
