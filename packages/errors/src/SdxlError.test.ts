import { describe, expect, it } from 'vitest';
import { ErrorCode, SdxlError, isSdxlError } from './index.js';

describe('SdxlError', () => {
  it('carries code, plugin, hook, details and cause', () => {
    const cause = new RangeError('boom');
    const error = new SdxlError(ErrorCode.PLUGIN_HOOK_FAILED, 'plugin x failed in hook y', {
      plugin: 'x',
      hook: 'y',
      details: { step: 3 },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SdxlError');
    expect(error.code).toBe('PLUGIN_HOOK_FAILED');
    expect(error.plugin).toBe('x');
    expect(error.hook).toBe('y');
    expect(error.details).toEqual({ step: 3 });
    expect(error.cause).toBe(cause);
  });

  it('is recognised by shape', () => {
    expect(isSdxlError(new SdxlError(ErrorCode.CLI_USAGE, 'bad flag'))).toBe(true);
    expect(isSdxlError(new Error('plain'))).toBe(false);
    expect(isSdxlError({ name: 'SdxlError', code: 'X' })).toBe(false);
  });
});
