import { createRequire } from 'node:module';
import path from 'node:path';
import type { LinkedBuild } from './LinkedBuild.js';
import { TFJS_CORE_HANDOFF } from './writeShims.js';

/**
 * Loads a linked tfjs-node build into this process on this package's tfjs-core: the tfjs-core module
 * object is handed over through a global symbol that the build's `@tensorflow/tfjs-core` stand-in
 * exports, so there is one engine, one kernel registry and one Tensor class. Throws what the load throws.
 */
export function loadLinkedBuild(build: LinkedBuild): void {
  const slot = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(TFJS_CORE_HANDOFF);
  // why: the CommonJS module object is what `import * as tf from '@tensorflow/tfjs-core'` wraps in Node
  // (its "main" is the CommonJS build), so both see the same instance.
  slot[key] ??= createRequire(import.meta.url)('@tensorflow/tfjs-core');
  createRequire(path.join(build.dir, 'noop.js'))(build.packageName);
}
