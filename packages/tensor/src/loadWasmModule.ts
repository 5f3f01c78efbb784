import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Which of the three binaries tfjs-backend-wasm ships was loaded. */
export type WasmBuild = 'threaded-simd' | 'simd' | 'plain';

/** An instantiated tfjs-backend-wasm emscripten module, ready for `new BackendWasm(module)`. */
export interface WasmModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: Record<string, (...args: unknown[]) => unknown>;
  asm?: Record<string, unknown>;
  _dispose?: unknown;
  PThread?: { runningWorkers: Array<{ unref(): void }>; terminateAllThreads(): void };
}

type Factory = (config: Record<string, unknown>) => Promise<WasmModule>;

/** The folder of the installed @tensorflow/tfjs-backend-wasm package. */
function wasmPackageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/**
 * Loads one of tfjs-backend-wasm's emscripten builds ourselves (4.22's own loader never picks the
 * threaded one under Node: `WASM_HAS_MULTITHREAD_SUPPORT` is hard-coded false there, tfjs issue #3830).
 *
 * For `threaded-simd`, `threads` sizes the XNNPACK pool: the C++ caps the pool at
 * `emscripten_num_logical_cores() / 2` (= `os.cpus().length / 2` in Node) when its statics initialise,
 * so `os.cpus()` is inflated to `2·threads` entries until the module is up, then restored. The pthread
 * workers need a real script file: the package only ships its contents as a JS string, which is
 * written once to `workerDir`.
 */
export async function loadWasmModule(build: WasmBuild, threads: number, workerDir: string): Promise<WasmModule> {
  const dir = path.join(wasmPackageDir(), 'wasm-out');
  const threaded = build === 'threaded-simd';
  const script = path.join(dir, threaded ? 'tfjs-backend-wasm-threaded-simd.js' : 'tfjs-backend-wasm.js');
  const binary = path.join(dir, `tfjs-backend-wasm${build === 'plain' ? '' : `-${build}`}.wasm`);
  const factory = require(script) as Factory;
  const config: Record<string, unknown> = {
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerFile(dir, workerDir) : file.endsWith('.wasm') ? binary : path.join(dir, file)),
    // why: each pthread worker evaluates this script to define the module factory.
    mainScriptUrlOrBlob: script,
  };
  if (threaded) workerFile(dir, workerDir); // fail here, before any worker starts, if it cannot be written

  const listenersBefore = snapshotListeners();
  const realCpus = os.cpus;
  if (threaded) {
    os.cpus = () => {
      const cpus = realCpus();
      while (cpus.length < 2 * threads && cpus.length > 0) cpus.push(cpus[0] as os.CpuInfo);
      return cpus;
    };
  }
  let module: WasmModule;
  try {
    module = await factory(config);
  } finally {
    os.cpus = realCpus;
    removeAddedListeners(listenersBefore);
  }
  // why: the emscripten post-js wraps _dispose to remove *every* process listener present at load
  // time (including a test runner's); the raw export only frees the backend.
  if (typeof module.asm?.['dispose'] === 'function') module._dispose = module.asm['dispose'];
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/** Lets the process exit while XNNPACK's pool threads wait for work. */
export function unrefWasmWorkers(module: WasmModule): void {
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
}

const workerFiles = new Map<string, string>();

/** Writes the pthread worker script (once per folder and process) and returns its path. */
function workerFile(wasmOutDir: string, workerDir: string): string {
  const known = workerFiles.get(workerDir);
  if (known !== undefined) return known;
  const { wasmWorkerContents } = require(path.join(wasmOutDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const version = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  const file = path.join(workerDir, `tfjs-backend-wasm-${version}-threaded-simd.worker.cjs`);
  if (!existsSync(file)) {
    mkdirSync(workerDir, { recursive: true });
    // why: the string holds "\n" escapes inside JS string literals that its template literal turned
    // into real newlines; put the escapes back. Written to a temp name and renamed, so a parallel
    // process never runs a half-written file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, wasmWorkerContents.replace(/\n/g, '\\n'));
    renameSync(tmp, file);
  }
  workerFiles.set(workerDir, file);
  return file;
}

/** The default folder for the worker script. */
export function defaultWorkerDir(): string {
  return path.join(os.tmpdir(), 'sdxl-trainer-tfjs-wasm');
}

type ListenerSnapshot = Record<'uncaughtException' | 'unhandledRejection', Function[]>;

function snapshotListeners(): ListenerSnapshot {
  return {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
}

/** Removes the process listeners emscripten adds at load (they re-throw, crashing on any stray error). */
function removeAddedListeners(before: ListenerSnapshot): void {
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
}
