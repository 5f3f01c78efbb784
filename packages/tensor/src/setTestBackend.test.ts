import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { setTestBackend } from './setTestBackend.js';

describe('setTestBackend', () => {
  it('is tf.setBackend("cpu") with nothing set, and initBackend for a named backend', async () => {
    expect(await setTestBackend({})).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await setTestBackend({ SDXL_TEST_BACKEND: 'wasm' })).toBe('wasm');
    expect(await setTestBackend({ SDXL_TEST_BACKEND: 'cpu' })).toBe('cpu');
  });

  it('fails loudly for a backend that is not there or not a backend', async () => {
    await expect(setTestBackend({ SDXL_TEST_BACKEND: 'gpu' })).rejects.toMatchObject({ code: ErrorCode.CONFIG_INVALID });
  });
});
