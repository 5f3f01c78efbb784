// Test helper: real (tiny) packages named like the optional peers, written to a temp node_modules.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

const created: string[] = [];

/** Removes every folder {@link fakePackages} made in this process. */
export function removeFakePackages(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** What a fake package does when imported. */
export type FakeBehaviour = 'registers-tensorflow' | 'throws';

/**
 * A temp folder with `node_modules/<name>` for each entry: a real ESM package that either registers a
 * tfjs backend `tensorflow` (the cpu backend's kernels under that name, on the same tfjs-core) or throws
 * on import like a tfjs-node whose libtensorflow is missing. Returns the folder to resolve from.
 */
export function fakePackages(packages: Record<string, FakeBehaviour>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sdxl-tensor-fake-'));
  created.push(root);
  const scope = path.join(root, 'node_modules', '@tensorflow');
  mkdirSync(scope, { recursive: true });
  // why: the fake must import the very tfjs-core this package uses; symlinks resolve to its real path.
  for (const dep of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu']) {
    const real = realpathSync(path.dirname(require.resolve(`${dep}/package.json`)));
    symlinkSync(real, path.join(root, 'node_modules', dep), 'dir');
  }
  for (const [name, behaviour] of Object.entries(packages)) {
    const dir = path.join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', type: 'module', main: 'index.js' }));
    writeFileSync(
      path.join(dir, 'index.js'),
      behaviour === 'throws'
        ? `throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');\n`
        : [
            "import * as tf from '@tensorflow/tfjs-core';",
            "import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';",
            "for (const k of tf.getKernelsForBackend('cpu')) {",
            "  if (tf.getKernel(k.kernelName, 'tensorflow') === undefined) tf.registerKernel({ ...k, backendName: 'tensorflow' });",
            '}',
            "if (tf.findBackendFactory('tensorflow') === null) tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);",
            '',
          ].join('\n'),
    );
  }
  return root;
}
