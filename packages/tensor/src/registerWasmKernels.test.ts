import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbs, maxAbsDiff, seeded } from './testing/reference.js';
import { setupWasm } from './testing/setupWasm.js';
import { TINY_NET_SHAPES, tinyNet, tinyNetInit } from './testing/tinyNet.js';
import { registerWasmKernels, unregisterWasmKernels, WASM_KERNEL_REPLACEMENTS } from './registerWasmKernels.js';
import { replaceKernel, stockKernel } from './kernels/replaceKernel.js';
import { cpuResizeNearestNeighborGrad } from './kernels/cpuResizeNearestNeighborGrad.js';

/** Loss and gradients of the tiny net on `backend`, through tf.variableGrads. */
async function lossAndGrads(backend: string): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  await tf.setBackend(backend);
  const init = tinyNetInit();
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(tf.tensor(v, TINY_NET_SHAPES[k]), true, `${backend}_${k}`)]));
  const x = tf.tensor4d(seeded(2 * 8 * 8 * 4, 1), [2, 8, 8, 4]);
  const target = tf.tensor4d(seeded(2 * 8 * 8 * 4, 2), [2, 8, 8, 4]);
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tinyNet(x, vars), target))) as tf.Scalar);
  const out = {
    loss: value.dataSync()[0]!,
    grads: Object.fromEntries(Object.keys(init).map((k) => [k, Float32Array.from(grads[`${backend}_${k}`]!.dataSync())])),
  };
  tf.dispose([value, x, target, ...Object.values(grads), ...Object.values(vars)]);
  return out;
}

describe('registerWasmKernels', () => {
  beforeAll(async () => {
    await setupWasm();
    // why: the reference side needs cpu's one wrong kernel fixed (batch-2 upsample gradient); every other
    // cpu kernel stays stock, so cpu is an independent reference for the wasm replacements.
    replaceKernel('ResizeNearestNeighborGrad', 'cpu', cpuResizeNearestNeighborGrad);
  });

  it('trains a conv + GroupNorm + linear + upsample net on wasm with the gradients cpu gives', async () => {
    const cpu = await lossAndGrads('cpu');
    const wasm = await lossAndGrads('wasm');
    // Tolerance: 1e-5 relative on the loss, 1e-4 relative to each gradient's largest entry.
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(cpu.loss));
    for (const name of Object.keys(TINY_NET_SHAPES)) {
      const ref = cpu.grads[name]!;
      expect(maxAbs(ref), name).toBeGreaterThan(0);
      expect(maxAbsDiff(wasm.grads[name]!, ref), name).toBeLessThanOrEqual(1e-4 * maxAbs(ref));
    }
  });

  it('can be undone and redone: stock kernels come back, a missing one goes away', async () => {
    unregisterWasmKernels();
    try {
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
      expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stockKernel('BatchMatMul', 'wasm'));
    } finally {
      registerWasmKernels();
    }
    for (const name of Object.keys(WASM_KERNEL_REPLACEMENTS)) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(tf.getKernel(name, 'wasm')).not.toBe(stockKernel(name, 'wasm'));
    }
  });
});
