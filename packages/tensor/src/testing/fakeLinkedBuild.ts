// Test helper: a linked-build folder as linkTensorflow lays it out, with a stand-in tfjs-node package.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LinkedBuildManifest, TensorflowDevice } from '../link/LinkedBuild.js';
import { TFJS_NODE_PACKAGES } from '../link/LinkedBuild.js';
import { buildKey, MANIFEST_FILE } from '../link/linkedBuilds.js';
import { writeShims } from '../link/writeShims.js';
import { tempDir } from './tempDirs.js';

/** What the stand-in tfjs-node does when loaded. */
export type FakeBuildBehaviour = 'registers-tensorflow' | 'throws';

/** Options of {@link fakeLinkedBuild}. */
export interface FakeBuildOptions {
  readonly device?: TensorflowDevice;
  readonly version?: string;
  readonly behaviour?: FakeBuildBehaviour;
  readonly nodeAbi?: string;
  /** Leave out the library files the manifest names (as when a linked venv was deleted). */
  readonly withoutLibs?: boolean;
}

/** A new temp cache folder to put fake builds in (removed after the test file). */
export function fakeBuildsDir(): string {
  return tempDir('sdxl-tensor-builds');
}

/**
 * Writes a build folder into `cacheDir`: manifest, empty binding and library files, the real stand-in
 * packages of {@link writeShims}, and a CommonJS tfjs-node that requires `@tensorflow/tfjs-core` (so it
 * gets the host's instance through the hand-over) and either registers backend `tensorflow` (the cpu
 * backend's kernels under that name) or throws like a binding whose libtensorflow is gone.
 */
export function fakeLinkedBuild(cacheDir: string, options: FakeBuildOptions = {}): string {
  const device = options.device ?? 'cpu';
  const version = options.version ?? '2.21.0';
  const nodeAbi = options.nodeAbi ?? process.versions.modules;
  const dir = path.join(cacheDir, buildKey(version, device, nodeAbi));
  const name = TFJS_NODE_PACKAGES[device];
  const nodeModules = path.join(dir, 'node_modules');
  const packageDir = path.join(nodeModules, ...name.split('/'));
  const libDir = path.join(packageDir, 'deps', 'lib');
  mkdirSync(path.join(packageDir, 'lib', 'napi-v8'), { recursive: true });
  mkdirSync(libDir, { recursive: true });
  writeFileSync(path.join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
  const libFiles = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
  if (!options.withoutLibs) for (const f of libFiles) writeFileSync(path.join(libDir, f), '');
  writeShims(nodeModules, 8);
  writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
  writeFileSync(
    path.join(packageDir, 'index.js'),
    options.behaviour === 'throws'
      ? "throw new Error('libtensorflow_cc.so.2: cannot open shared object file: No such file or directory');\n"
      : [
          "const tf = require('@tensorflow/tfjs-core');",
          "const cpu = tf.findBackend('cpu');",
          "for (const k of tf.getKernelsForBackend('cpu')) {",
          "  if (tf.getKernel(k.kernelName, 'tensorflow') === undefined) tf.registerKernel({ ...k, backendName: 'tensorflow' });",
          '}',
          "if (tf.findBackendFactory('tensorflow') === null) tf.registerBackend('tensorflow', () => new cpu.constructor(), 3);",
          '// what it was given as tfjs-core, for the test to compare with its own',
          'module.exports = { core: tf };',
          '',
        ].join('\n'),
  );
  const manifest: LinkedBuildManifest = {
    packageName: name,
    packageVersion: '4.22.0',
    tensorflowVersion: version,
    device,
    cudaBuild: device === 'gpu',
    nodeAbi,
    napiVersion: 8,
    source: { kind: 'wheel', path: '/nowhere/tensorflow.whl' },
    libDir: path.relative(dir, libDir),
    libFiles,
    builtAt: new Date().toISOString(),
    buildSeconds: 1,
  };
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  return dir;
}
