import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, isSdxlError } from '@sdxl-trainer/errors';
import { initBackend } from './initBackend.js';
import { fakePackages, removeFakePackages } from './testing/fakePackages.js';

const emptyDirs: string[] = [];
const empty = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdxl-tensor-empty-'));
  emptyDirs.push(dir);
  return dir;
};

/** A small computation whose answer is known: [[1,2],[3,4]]·[[5],[6]] = [[17],[39]]. */
function product(): number[] {
  return tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1])).dataSync()));
}

describe('initBackend', () => {
  afterAll(() => {
    removeFakePackages();
    for (const dir of emptyDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('auto without the optional packages or a linked build falls through to wasm and says why in one line', async () => {
    const builds = empty();
    const report = await initBackend({ resolveFrom: empty(), linkedBuilds: builds, threads: 1 });
    expect(report.backend).toBe('wasm');
    expect(report.tfjsBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.threads).toBe(1);
    expect(report.tried).toEqual([
      { backend: 'tensorflow-gpu', reason: `@tensorflow/tfjs-node-gpu not installed, no linked build in ${builds}` },
      { backend: 'tensorflow', reason: `@tensorflow/tfjs-node not installed, no linked build in ${builds}` },
    ]);
    expect(report.summary).toBe(
      `backend wasm (simd, 1 thread) — tensorflow-gpu: @tensorflow/tfjs-node-gpu not installed, no linked build in ${builds}; ` +
        `tensorflow: @tensorflow/tfjs-node not installed, no linked build in ${builds}`,
    );
    expect(report.tensorflow).toBeUndefined();
    expect(report.kernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'BatchMatMul', 'Slice']));
    expect(product()).toEqual([17, 39]);
  });

  it('auto with @tensorflow/tfjs-node present chooses tensorflow', async () => {
    const root = fakePackages({ '@tensorflow/tfjs-node': 'registers-tensorflow' });
    const report = await initBackend({ resolveFrom: root, linkedBuilds: false, threads: 1 });
    expect(report.backend).toBe('tensorflow');
    expect(report.tfjsBackend).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(report.tried).toEqual([{ backend: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu not installed' }]);
    expect(report.summary).toMatch(/^backend tensorflow \(TensorFlow \(version unknown\) on CPU, 1 intra-op \+ \d+ inter-op threads, via @tensorflow\/tfjs-node\) — tensorflow-gpu: /);
    expect(report.tensorflow).toMatchObject({ device: 'CPU', package: '@tensorflow/tfjs-node', linkedBuild: undefined, intraOpThreads: 1 });
    expect(process.env['TF_NUM_INTRAOP_THREADS']).toBe('1');
    expect(report.summary).not.toContain('\n');
    expect(product()).toEqual([17, 39]);
  });

  it('auto reports a broken optional package with its error and goes on', async () => {
    const root = fakePackages({ '@tensorflow/tfjs-node-gpu': 'throws' });
    const report = await initBackend({ resolveFrom: root, linkedBuilds: false, threads: 1 });
    expect(report.backend).toBe('wasm');
    expect(report.tried[0]?.backend).toBe('tensorflow-gpu');
    expect(report.tried[0]?.reason).toMatch(/^@tensorflow\/tfjs-node-gpu failed to load: libtensorflow\.so\.2: cannot open shared object file/);
    expect(report.tried[1]).toEqual({ backend: 'tensorflow', reason: '@tensorflow/tfjs-node not installed' });
  });

  it('a requested backend that is not installed is BACKEND_UNAVAILABLE, saying how to get it', async () => {
    const error = await initBackend({ backend: 'tensorflow', resolveFrom: empty(), linkedBuilds: false }).catch((e: unknown) => e);
    expect(isSdxlError(error)).toBe(true);
    const e = error as { code: string; message: string };
    expect(e.code).toBe(ErrorCode.BACKEND_UNAVAILABLE);
    expect(e.message).toContain('npm install @tensorflow/tfjs-node@4.22.0');
    expect(e.message).toContain('sdxl-train backend link');
  });

  it('a requested backend that is installed but broken is BACKEND_INIT_FAILED with the cause', async () => {
    const root = fakePackages({ '@tensorflow/tfjs-node-gpu': 'throws' });
    const error = await initBackend({ backend: 'tensorflow-gpu', resolveFrom: root, linkedBuilds: false }).catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe(ErrorCode.BACKEND_INIT_FAILED);
    expect((error as Error).message).toContain('libtensorflow.so.2');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('a requested cpu backend is used as asked, with its kernels fixed', async () => {
    const report = await initBackend({ backend: 'cpu' });
    expect(report).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', threads: 1, tried: [] });
    expect(report.summary).toBe('backend cpu (pure JS, 1 thread) as requested');
    expect(report.kernels).toEqual(expect.arrayContaining(['ResizeNearestNeighborGrad', 'Conv2DBackpropFilter']));
  });

  it('rejects an unknown backend name and a bad thread count', async () => {
    await expect(initBackend({ backend: 'gpu' as never })).rejects.toMatchObject({ code: ErrorCode.CONFIG_INVALID });
    await expect(initBackend({ threads: 0 })).rejects.toMatchObject({ code: ErrorCode.CONFIG_INVALID });
  });
});
