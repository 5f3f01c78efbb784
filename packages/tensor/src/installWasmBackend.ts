import * as tf from '@tensorflow/tfjs-core';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { defaultWorkerDir, loadWasmModule, unrefWasmWorkers, type WasmBuild, type WasmModule } from './loadWasmModule.js';

/** What {@link installWasmBackend} set up. */
export interface WasmInstallation {
  /** The binary in use. */
  readonly build: WasmBuild;
  /** XNNPACK threads actually in the pool (`getThreadsCount()` of tfjs-backend-wasm). */
  readonly threads: number;
  /** Why fewer threads than asked for are in use, if so. */
  readonly threadNote: string | undefined;
}

/** Options of {@link installWasmBackend}. */
export interface WasmInstallOptions {
  /** XNNPACK threads wanted; 1 loads the single-threaded SIMD build. */
  readonly threads: number;
  /** Folder for the pthread worker script (default: the OS temp folder). */
  readonly workerDir?: string | undefined;
}

const WASM_PRIORITY = 2;
// why: the C++ pool pre-creates 8 pthread workers and caps the pool there (tfjs-backend-wasm cc/backend.cc).
const MAX_WASM_THREADS = 8;
// why: the threaded module resolves only once all 8 workers have loaded; a worker that never starts
// would otherwise hang start-up instead of falling back.
const THREADED_START_MS = 60_000;

/**
 * Replaces tfjs-backend-wasm's registration of backend `wasm` with one that runs the build chosen here
 * (threaded-SIMD when `threads` > 1 and it starts, else SIMD, else plain), and makes it the active backend.
 * A threaded build that cannot start falls back to the single-threaded one, with the reason in `threadNote`.
 */
export async function installWasmBackend(options: WasmInstallOptions): Promise<WasmInstallation> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const wanted = Math.max(1, Math.min(Math.floor(options.threads), MAX_WASM_THREADS));
  let threadNote = wanted < options.threads ? `tfjs-backend-wasm pools at most ${MAX_WASM_THREADS} threads` : undefined;
  let module: WasmModule | undefined;
  let build: WasmBuild = simd ? 'simd' : 'plain';
  if (wanted > 1) {
    if (!simd) {
      threadNote = 'threaded build needs WebAssembly SIMD, which this runtime lacks';
    } else {
      try {
        module = await withTimeout(loadWasmModule('threaded-simd', wanted, options.workerDir ?? defaultWorkerDir()), THREADED_START_MS);
        build = 'threaded-simd';
      } catch (error) {
        threadNote = `threaded build did not start (${describe(error)})`;
      }
    }
  }
  module ??= await loadWasmModule(build, 1, options.workerDir ?? defaultWorkerDir());
  const chosen = module;
  const threads = build === 'threaded-simd' ? wanted : 1;
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    () => {
      // why: BackendWasm's constructor reads the count set here and sizes the XNNPACK pool with it.
      wasmBackend.setThreadsCount(threads);
      return new wasmBackend.BackendWasm(chosen as never);
    },
    WASM_PRIORITY,
  );
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  unrefWasmWorkers(chosen);
  const actual = wasmBackend.getThreadsCount();
  if (actual < threads && threadNote === undefined) threadNote = `the XNNPACK pool started ${actual} of ${threads} threads`;
  return { build, threads: actual, threadNote };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its workers did not start within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
