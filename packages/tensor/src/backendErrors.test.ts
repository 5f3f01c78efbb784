import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { WASM_HEAP_LIMIT_BYTES, checkMemoryBudget, translateBackendError, withBackendErrors } from './backendErrors.js';
import { setupWasm } from './testing/setupWasm.js';

// why: the tsconfig's lib has no DOM, so the WebAssembly global is typed here by hand.
const WasmApi = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object) => { exports: Record<string, unknown> };
    RuntimeError: new (message?: string) => Error;
  };
}).WebAssembly;

/**
 * A real `RuntimeError: memory access out of bounds` from V8: a one-page wasm module that loads an i32
 * at byte 131072, past its 64 KiB memory — the same trap tfjs-backend-wasm hits past its 4 GiB heap.
 */
function outOfBoundsLoad(): () => number {
  // (module (memory 1) (func (export "f") (result i32) (i32.load (i32.const 131072))))
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
    0x03, 0x02, 0x01, 0x00, // function 0 has type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: min 1 page
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
    0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x80, 0x80, 0x08, 0x28, 0x02, 0x00, 0x0b, // i32.const 131072; i32.load; end
  ]);
  const instance = new WasmApi.Instance(new WasmApi.Module(bytes));
  return instance.exports['f'] as () => number;
}

function realTrap(): Error {
  try {
    outOfBoundsLoad()();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the out-of-bounds load did not trap');
}

describe('translateBackendError', () => {
  beforeAll(setupWasm);

  it('turns the raw wasm trap into OUT_OF_MEMORY naming the backends to use instead', async () => {
    await tf.setBackend('wasm');
    const raw = realTrap();
    expect(raw).toBeInstanceOf(WasmApi.RuntimeError);
    expect(raw.message).toBe('memory access out of bounds');
    const translated = translateBackendError(raw);
    expect(isSdxlError(translated)).toBe(true);
    const e = translated as SdxlError;
    expect(e.code).toBe(ErrorCode.OUT_OF_MEMORY);
    expect(e.cause).toBe(raw);
    expect(e.message).toContain("'wasm' backend's heap is capped at 4 GiB");
    expect(e.message).toContain("backend 'tensorflow' or 'tensorflow-gpu'");
    expect(e.message).toContain('sdxl-train backend link');
    expect(e.message).toContain("backend 'cpu' (no 4 GiB cap");
  });

  it('leaves other errors alone', () => {
    const other = new TypeError('x is not a function');
    expect(translateBackendError(other)).toBe(other);
    const sdxl = new SdxlError(ErrorCode.LOSS_NOT_FINITE, 'loss is NaN');
    expect(translateBackendError(sdxl)).toBe(sdxl);
  });

  it('withBackendErrors translates sync and async step failures and passes results through', async () => {
    await tf.setBackend('wasm');
    const trap = outOfBoundsLoad();
    expect(() => withBackendErrors(() => trap())).toThrow(expect.objectContaining({ code: ErrorCode.OUT_OF_MEMORY }));
    await expect(withBackendErrors(async () => trap())).rejects.toMatchObject({ code: ErrorCode.OUT_OF_MEMORY });
    expect(withBackendErrors(() => 42)).toBe(42);
    await expect(withBackendErrors(async () => 'ok')).resolves.toBe('ok');
  });
});

describe('checkMemoryBudget', () => {
  beforeAll(setupWasm);

  it('measures against the 4 GiB wasm heap by default and fails early past a budget', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1024, 256]); // 1 MiB
    try {
      const ok = checkMemoryBudget(1024);
      expect(ok.budgetBytes).toBe(WASM_HEAP_LIMIT_BYTES);
      expect(ok.usedBytes).toBe(tf.memory().numBytes);
      expect(ok.headroomBytes).toBe(WASM_HEAP_LIMIT_BYTES - ok.usedBytes - 1024);
      expect(() => checkMemoryBudget(5 * 2 ** 30, { what: 'the UNet at 1024 px' })).toThrow(
        expect.objectContaining({ code: ErrorCode.OUT_OF_MEMORY, message: expect.stringContaining('the UNet at 1024 px needs 5120 MiB more') }),
      );
      expect(() => checkMemoryBudget(0, { budgetBytes: 512 * 1024 })).toThrow(expect.objectContaining({ code: ErrorCode.OUT_OF_MEMORY }));
    } finally {
      x.dispose();
    }
  });
});
