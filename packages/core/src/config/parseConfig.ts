import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { normalizePlugins } from '../plugin.js';
import { CORE_OPTIONS } from './options.js';
import { configError, parseOptions } from './parseOptions.js';
import { RunConfigSchema, type ResolvedConfig } from './schema.js';

/**
 * Validate a run config and fill defaults. A bad config throws one SdxlError(CONFIG_INVALID) whose
 * message has one line per problem, naming the field, the value and what was expected; the problems are
 * also in `error.details.problems`. `source` (a file name) prefixes every line.
 */
export function parseConfig(input: unknown, source = 'config'): ResolvedConfig {
  const options = parseOptions(source, RunConfigSchema, input, CORE_OPTIONS);
  try {
    const { pre, normal, post } = normalizePlugins(options.plugins);
    return Object.freeze({ ...options, plugins: Object.freeze([...pre, ...normal, ...post]) });
  } catch (error) {
    if (error instanceof SdxlError && error.code === ErrorCode.PLUGIN_INVALID) {
      const path = String(error.details?.['path'] ?? 'plugins');
      throw configError(source, [{ path, value: undefined, expected: CORE_OPTIONS.plugins.expected, message: error.message }], error);
    }
    throw error;
  }
}
