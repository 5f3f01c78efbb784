import type { ErrorCode } from './codes.js';

/** What an {@link SdxlError} may carry besides its code and message. */
export interface SdxlErrorOptions {
  /** The plugin whose code failed, when a plugin failed. */
  readonly plugin?: string | undefined;
  /** The trainer hook that was running, when the failure happened inside one. */
  readonly hook?: string | undefined;
  /** Structured facts for programs (file, field, value, expected, ...). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * The one error class of sdxl-trainer: a code for programs, a message for people, and, when a
 * plugin failed, which plugin and which hook (webpack's HookWebpackError, Rollup's logPluginError).
 */
export class SdxlError extends Error {
  override readonly name = 'SdxlError';
  readonly code: ErrorCode;
  readonly plugin: string | undefined;
  readonly hook: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: SdxlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.details = options.details;
  }
}

/** True for an {@link SdxlError}, also across duplicated package copies (checked by shape, not class). */
export function isSdxlError(value: unknown): value is SdxlError {
  return value instanceof Error && value.name === 'SdxlError' && typeof (value as { code?: unknown }).code === 'string';
}
