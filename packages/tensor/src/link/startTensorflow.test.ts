import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { initBackend } from '../initBackend.js';
import { fakeBuildsDir, fakeLinkedBuild } from '../testing/fakeLinkedBuild.js';
import { tempDir } from '../testing/tempDirs.js';

const nowhere = (): string => tempDir('sdxl-tensor-empty');

describe('initBackend with linked builds', () => {
  it('names each unusable build and why when no build can load', async () => {
    const builds = fakeBuildsDir();
    const otherAbi = fakeLinkedBuild(builds, { nodeAbi: '999' });
    const gone = fakeLinkedBuild(builds, { version: '2.20.0', withoutLibs: true });
    const error = (await initBackend({ backend: 'tensorflow', linkedBuilds: builds, resolveFrom: nowhere() }).catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe(ErrorCode.BACKEND_UNAVAILABLE);
    expect(error.message).toContain(`no usable linked build in ${builds}`);
    expect(error.message).toContain(`${otherAbi}: built for Node ABI 999, this Node is ABI ${process.versions.modules}`);
    expect(error.message).toContain(`${gone}: its TensorFlow libraries are gone from ${path.join(gone, 'node_modules/@tensorflow/tfjs-node/deps/lib')} (libtensorflow_cc.so.2, libtensorflow_framework.so.2); link again`);
    expect(error.message).toContain('sdxl-train backend link tensorflow --from');
  });

  it('auto loads a linked build on this tfjs-core, reports it, and passes over a broken GPU build with its error', async () => {
    const builds = fakeBuildsDir();
    const gpu = fakeLinkedBuild(builds, { device: 'gpu', behaviour: 'throws' });
    const cpu = fakeLinkedBuild(builds, { device: 'cpu' });
    const report = await initBackend({ linkedBuilds: builds, resolveFrom: nowhere(), threads: 1 });
    expect(report.tried).toEqual([
      { backend: 'tensorflow-gpu', reason: `the linked build in ${gpu} failed to load: libtensorflow_cc.so.2: cannot open shared object file: No such file or directory` },
    ]);
    expect(report.backend).toBe('tensorflow');
    // The stand-in was given the very tfjs-core module this test runs on (one engine, one registry, one Tensor class).
    const given = createRequire(path.join(cpu, 'noop.js'))('@tensorflow/tfjs-node') as { core: unknown };
    expect(given.core).toBe(createRequire(import.meta.url)('@tensorflow/tfjs-core'));
    expect(tf.getBackend()).toBe('tensorflow');
    expect(tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1])).dataSync()))).toEqual([17, 39]);
    expect(report.tensorflow).toMatchObject({ linkedBuild: cpu, package: '@tensorflow/tfjs-node', device: 'CPU', intraOpThreads: 1 });
    expect(report.summary).toContain(`1 intra-op + ${report.tensorflow?.interOpThreads} inter-op threads, linked build ${cpu}) — tensorflow-gpu: the linked build in ${gpu} failed to load`);
    expect(report.kernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum', 'ResizeNearestNeighborGrad']));
  });

  it('keeps the thread counts libtensorflow started with on a later call', async () => {
    const builds = fakeBuildsDir();
    fakeLinkedBuild(builds, { device: 'cpu' });
    const report = await initBackend({ backend: 'tensorflow', linkedBuilds: builds, resolveFrom: nowhere(), threads: 3 });
    expect(report.tensorflow?.intraOpThreads).toBe(1);
    expect(process.env['TF_NUM_INTRAOP_THREADS']).toBe('1');
  });
});
