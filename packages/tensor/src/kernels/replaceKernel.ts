import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

/** A kernel this package installed over (or beside) the stock one of a backend. */
interface Installed {
  readonly config: KernelConfig;
  /** The kernel that was registered before ours, or undefined when the backend had none. */
  readonly stock: KernelConfig | undefined;
}

// why: the kernel registry is global to the process (tfjs-core keeps it on globalThis), so is this record.
const installed = new Map<string, Installed>();

const key = (kernelName: string, backendName: string): string => `${backendName}_${kernelName}`;

/**
 * Registers `kernelFunc` for `kernelName` on `backendName`, remembering the stock kernel so that the
 * replacement can call it for the cases it is fast at and {@link restoreKernel} can put it back.
 * Idempotent: a second call replaces our kernel, never wraps it.
 */
export function replaceKernel(kernelName: string, backendName: string, kernelFunc: KernelFunc): void {
  const k = key(kernelName, backendName);
  const current = tf.getKernel(kernelName, backendName);
  const stock = installed.get(k)?.stock ?? current;
  // why: unregister first; registerKernel over an existing key prints a console warning.
  if (current !== undefined) tf.unregisterKernel(kernelName, backendName);
  const config: KernelConfig = { kernelName, backendName, kernelFunc, ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
  tf.registerKernel(config);
  installed.set(k, { config, stock });
}

/** The stock kernel of `kernelName` on `backendName` as it was before {@link replaceKernel}, if any. */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const k = key(kernelName, backendName);
  return installed.has(k) ? installed.get(k)?.stock : tf.getKernel(kernelName, backendName);
}

/** Puts the stock kernel back (or removes ours where the backend had none). */
export function restoreKernel(kernelName: string, backendName: string): void {
  const k = key(kernelName, backendName);
  const entry = installed.get(k);
  if (entry === undefined) return;
  if (tf.getKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
  if (entry.stock !== undefined) tf.registerKernel(entry.stock);
  installed.delete(k);
}

/** Names of the kernels currently replaced on `backendName`. */
export function replacedKernels(backendName: string): string[] {
  return [...installed.values()].filter((e) => e.config.backendName === backendName).map((e) => e.config.kernelName);
}
