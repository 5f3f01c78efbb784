import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import type { TrainerHookSet } from './hooks.js';

type AnyFn = (...args: unknown[]) => unknown;
interface RegisteredTap {
  name: string;
  type: 'sync' | 'async' | 'promise';
  fn: AnyFn;
}
interface InterceptableHook {
  intercept(interceptor: { register: (tap: RegisteredTap) => RegisteredTap }): void;
}

/**
 * Wrap every tap of every hook so that a failure names the plugin (the tap name) and the hook
 * (webpack's HookWebpackError "caused by plugins in <hook>", Rollup's logPluginError).
 */
export function guardHooks(hooks: TrainerHookSet): void {
  for (const [hookName, hook] of Object.entries(hooks)) {
    (hook as unknown as InterceptableHook).intercept({ register: (tap) => ({ ...tap, fn: guardTap(tap, hookName) }) });
  }
}

/** The error a failing tap becomes: an SdxlError that knows its plugin and hook. */
export function pluginError(error: unknown, plugin: string, hook: string): SdxlError {
  if (isSdxlError(error) && error.plugin !== undefined) return error; // why: the innermost failing plugin is the one to report
  const reason = error instanceof Error ? error.message : String(error);
  const code = isSdxlError(error) ? error.code : ErrorCode.PLUGIN_HOOK_FAILED;
  return new SdxlError(code, `plugin "${plugin}" failed in hook "${hook}": ${reason}`, {
    plugin,
    hook,
    cause: error,
    details: isSdxlError(error) ? error.details : undefined,
  });
}

function guardTap(tap: RegisteredTap, hookName: string): AnyFn {
  const { fn, name, type } = tap;
  if (type === 'sync') {
    return (...args) => {
      try {
        return fn(...args);
      } catch (error) {
        throw pluginError(error, name, hookName);
      }
    };
  }
  if (type === 'promise') {
    return (...args) => {
      try {
        const result = fn(...args) as Promise<unknown> | undefined;
        if (!result || typeof result.then !== 'function') {
          throw new TypeError(`tapPromise callback returned ${result === undefined ? 'undefined' : typeof result}, not a promise`);
        }
        return result.then(undefined, (error: unknown) => {
          throw pluginError(error, name, hookName);
        });
      } catch (error) {
        return Promise.reject(pluginError(error, name, hookName));
      }
    };
  }
  return (...args) => {
    const callback = args.pop() as (error?: unknown, result?: unknown) => void;
    try {
      return fn(...args, (error?: unknown, result?: unknown) => callback(error ? pluginError(error, name, hookName) : error, result));
    } catch (error) {
      return callback(pluginError(error, name, hookName));
    }
  };
}
