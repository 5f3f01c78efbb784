import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeBuildsDir, fakeLinkedBuild } from '../testing/fakeLinkedBuild.js';
import { compareVersions, findLinkedBuild, listLinkedBuilds } from './linkedBuilds.js';

describe('linked builds in the cache', () => {
  it('lists every build with what keeps it from loading, and finds the newest usable one per device', () => {
    const dir = fakeBuildsDir();
    const old = fakeLinkedBuild(dir, { version: '2.9.1' });
    const newest = fakeLinkedBuild(dir, { version: '2.21.0' });
    const otherAbi = fakeLinkedBuild(dir, { version: '2.30.0', nodeAbi: '1' });
    const gpu = fakeLinkedBuild(dir, { version: '2.19.0', device: 'gpu', withoutLibs: true });
    const found = listLinkedBuilds(dir);
    expect(found.map((f) => [f.build.dir, f.problem])).toEqual([
      [gpu, `its TensorFlow libraries are gone from ${path.join(gpu, 'node_modules/@tensorflow/tfjs-node-gpu/deps/lib')} (libtensorflow_cc.so.2, libtensorflow_framework.so.2); link again`],
      [newest, undefined],
      [otherAbi, `built for Node ABI 1, this Node is ABI ${process.versions.modules}`],
      [old, undefined],
    ]);
    expect(findLinkedBuild('cpu', dir)?.dir).toBe(newest);
    expect(findLinkedBuild('cpu', dir)?.binding).toBe(path.join(newest, 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'));
    expect(findLinkedBuild('gpu', dir)).toBeUndefined();
    expect(listLinkedBuilds(path.join(dir, 'absent'))).toEqual([]);
  });

  it('compares versions numerically', () => {
    expect(compareVersions('2.10.0', '2.9.1')).toBe(1);
    expect(compareVersions('2.9.1', '2.9.1')).toBe(0);
    expect(compareVersions('2.9', '2.9.0')).toBe(0);
    expect(compareVersions('2.21.0rc1', '2.21.0')).toBe(0);
    expect(compareVersions('1.15.0', '2.0.0')).toBe(-1);
  });
});
