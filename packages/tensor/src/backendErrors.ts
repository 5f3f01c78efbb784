import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';

/** The most bytes the wasm32 heap can hold: 65535 pages of 64 KiB (emscripten `getHeapMax()`). */
export const WASM_HEAP_LIMIT_BYTES = 4294901760;

const MIB = 1024 * 1024;

// Messages V8 and emscripten give when the wasm heap or the JS heap cannot grow.
const OOM_PATTERNS = [
  /memory access out of bounds/i,
  /Aborted\(OOM\)/i,
  /Cannot enlarge memory/i,
  /Out of memory/i,
  /Maximum memory size exceeded/i,
  /WebAssembly\.Memory\.grow/i,
  /Array buffer allocation failed/i,
];

/** What to do instead, said the same way by every out-of-memory error. */
const ADVICE =
  "Use backend 'tensorflow' or 'tensorflow-gpu' (install @tensorflow/tfjs-node or -node-gpu, or link a local " +
  "TensorFlow with `sdxl-train backend link`), or backend 'cpu' (no 4 GiB cap, far slower); or lower the batch " +
  'size or resolution, or turn on gradient checkpointing.';

/**
 * Turns a backend failure that means "out of memory" into SdxlError(OUT_OF_MEMORY) saying which backend
 * to use instead; any other error is returned unchanged.
 * why: the wasm heap is one wasm32 memory capped at 4 GiB, and past it tfjs-backend-wasm 4.22 fails
 * with a raw `RuntimeError: memory access out of bounds` (backend.md §4).
 */
export function translateBackendError(error: unknown): unknown {
  if (isSdxlError(error) || !(error instanceof Error)) return error;
  const text = `${error.name}: ${error.message}`;
  if (!OOM_PATTERNS.some((p) => p.test(text))) return error;
  const backend = safeBackendName();
  const { numBytes, numTensors } = safeMemory();
  const held = `tfjs holds ${(numBytes / MIB).toFixed(0)} MiB in ${numTensors} tensors`;
  const cause = backend === 'wasm' ? "the 'wasm' backend's heap is capped at 4 GiB (wasm32)" : `the '${backend}' backend ran out of memory`;
  return new SdxlError(ErrorCode.OUT_OF_MEMORY, `Out of memory: ${cause}; ${held} (${text}). ${ADVICE}`, {
    details: { backend, numBytes, numTensors, original: text },
    cause: error,
  });
}

/** Runs `step` (sync or async) and rethrows its failures through {@link translateBackendError}. */
export function withBackendErrors<T>(step: () => T): T {
  let result: T;
  try {
    result = step();
  } catch (error) {
    throw translateBackendError(error);
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw translateBackendError(error);
    }) as T;
  }
  return result;
}

/** The outcome of a passed {@link checkMemoryBudget}. */
export interface MemoryBudgetCheck {
  readonly backend: string;
  /** Bytes tfjs holds now. */
  readonly usedBytes: number;
  /** Bytes the caller said it is about to add. */
  readonly plannedBytes: number;
  readonly budgetBytes: number;
  /** budget − used − planned (≥ 0 when the check passed). */
  readonly headroomBytes: number;
}

/**
 * Pre-flight check before a step or an allocation: throws SdxlError(OUT_OF_MEMORY) if the tensors tfjs
 * holds plus `plannedBytes` exceed the budget. Default budget: 4 GiB on wasm (its heap cap), the
 * machine's memory elsewhere.
 */
export function checkMemoryBudget(plannedBytes: number, options: { budgetBytes?: number | undefined; what?: string | undefined } = {}): MemoryBudgetCheck {
  const backend = safeBackendName();
  const usedBytes = safeMemory().numBytes;
  const budgetBytes = options.budgetBytes ?? (backend === 'wasm' ? WASM_HEAP_LIMIT_BYTES : os.totalmem());
  const headroomBytes = budgetBytes - usedBytes - plannedBytes;
  if (headroomBytes < 0) {
    const what = options.what ?? 'the next step';
    throw new SdxlError(
      ErrorCode.OUT_OF_MEMORY,
      `Out of memory (pre-flight): ${what} needs ${(plannedBytes / MIB).toFixed(0)} MiB more, tfjs already holds ` +
        `${(usedBytes / MIB).toFixed(0)} MiB, and the '${backend}' budget is ${(budgetBytes / MIB).toFixed(0)} MiB. ${ADVICE}`,
      { details: { backend, usedBytes, plannedBytes, budgetBytes } },
    );
  }
  return { backend, usedBytes, plannedBytes, budgetBytes, headroomBytes };
}

function safeBackendName(): string {
  try {
    return tf.getBackend() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function safeMemory(): { numBytes: number; numTensors: number } {
  try {
    const m = tf.memory();
    return { numBytes: m.numBytes, numTensors: m.numTensors };
  } catch {
    return { numBytes: 0, numTensors: 0 };
  }
}
