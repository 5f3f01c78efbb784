import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { installWasmBackend } from './installWasmBackend.js';
import { initBackend } from './initBackend.js';
import { registerWasmKernels } from './registerWasmKernels.js';
import { registerGradients } from './registerGradients.js';
import { seeded } from './testing/reference.js';

/** A conv forward + backward and a big enough matmul that XNNPACK splits it across threads. */
function workload(): Float32Array[] {
  const outputs = tf.tidy(() => {
    const x = tf.tensor4d(seeded(2 * 16 * 16 * 16, 1), [2, 16, 16, 16]);
    const w = tf.tensor4d(seeded(3 * 3 * 16 * 32, 2), [3, 3, 16, 32]);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]);
    const m = tf.matMul(tf.tensor2d(seeded(256 * 192, 3), [256, 192]), tf.tensor2d(seeded(192 * 128, 4), [192, 128]));
    return [gx!, gw!, m];
  });
  const values = outputs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outputs);
  return values;
}

describe('installWasmBackend threads', () => {
  it('runs the threaded-SIMD build with 2 XNNPACK threads and gets the single-threaded results', async () => {
    await registerGradients();
    registerWasmKernels();
    const two = await installWasmBackend({ threads: 2 });
    expect(two).toMatchObject({ build: 'threaded-simd', threads: 2, threadNote: undefined });
    expect(getThreadsCount()).toBe(2);
    const threaded = workload();

    const one = await installWasmBackend({ threads: 1 });
    expect(one).toMatchObject({ build: 'simd', threads: 1 });
    expect(getThreadsCount()).toBe(1);
    const single = workload();
    // Tolerance: XNNPACK splits the same per-element sums across threads; the results are expected to be
    // bit-identical, and at most 1e-6 relative apart if a kernel ever reassociates.
    for (let i = 0; i < single.length; i++) {
      const a = single[i]!;
      const b = threaded[i]!;
      let worst = 0;
      let scale = 0;
      for (let j = 0; j < a.length; j++) {
        worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
        scale = Math.max(scale, Math.abs(a[j]!));
      }
      expect(worst).toBeLessThanOrEqual(1e-6 * scale);
    }
  });

  it('falls back to the single-threaded build, and says why, when threads cannot start', async () => {
    const blocker = path.join(os.tmpdir(), `sdxl-tensor-not-a-dir-${process.pid}`);
    writeFileSync(blocker, 'a file where the worker folder should be');
    const result = await installWasmBackend({ threads: 2, workerDir: path.join(blocker, 'workers') });
    expect(result.build).toBe('simd');
    expect(result.threads).toBe(1);
    expect(result.threadNote).toMatch(/^threaded build did not start \(.*(ENOTDIR|EEXIST)/);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.tidy(() => Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync()))).toEqual([4, 6]);

    const report = await initBackend({ backend: 'wasm', threads: 2, workerDir: path.join(blocker, 'workers') });
    expect(report.threads).toBe(1);
    expect(report.summary).toMatch(/^backend wasm \(simd, 1 thread; threaded build did not start \(/);
    rmSync(blocker, { force: true });
  });
});
