import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { z } from 'zod';
import { normalizePlugins } from '../plugin.js';
import { suggestName } from '../suggest.js';
import { CORE_OPTIONS, type CoreOptionName } from './options.js';
import { RunConfigSchema, type ResolvedConfig } from './schema.js';

/** One problem found in a config: which field, what value, what was expected. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `trainBatchSize` or `plugins[2]`. */
  readonly path: string;
  /** The value found (undefined when the field is missing). */
  readonly value: unknown;
  /** What the field accepts. */
  readonly expected: string;
  /** One line for a person. */
  readonly message: string;
}

/**
 * Validate a run config and fill defaults. A bad config throws one SdxlError(CONFIG_INVALID) whose
 * message has one line per problem, naming the field, the value and what was expected; the problems are
 * also in `error.details.problems`. `source` (a file name) prefixes every line.
 */
export function parseConfig(input: unknown, source = 'config'): ResolvedConfig {
  const result = RunConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw configError(source, result.error.issues.flatMap((issue) => describeIssue(issue, input)));
  try {
    const { pre, normal, post } = normalizePlugins(result.data.plugins);
    return Object.freeze({ ...result.data, plugins: Object.freeze([...pre, ...normal, ...post]) });
  } catch (error) {
    if (error instanceof SdxlError && error.code === ErrorCode.PLUGIN_INVALID) {
      const path = String(error.details?.['path'] ?? 'plugins');
      throw configError(source, [{ path, value: undefined, expected: CORE_OPTIONS.plugins.expected, message: error.message }], error);
    }
    throw error;
  }
}

/** The SdxlError for a list of problems in `source`. */
export function configError(source: string, problems: readonly ConfigProblem[], cause?: unknown): SdxlError {
  const lines = problems.map((p) => `  ${source}: ${p.message}`);
  return new SdxlError(ErrorCode.CONFIG_INVALID, `invalid config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
    details: { source, problems },
    cause,
  });
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = suggestName(key, Object.keys(CORE_OPTIONS));
      const hint = suggestion ? `; did you mean "${suggestion}"?` : `; known options: ${Object.keys(CORE_OPTIONS).join(', ')}`;
      return { path: key, value: (input as Record<string, unknown>)[key], expected: 'a known option', message: `unknown option "${key}"${hint}` };
    });
  }
  if (issue.path.length === 0) {
    return [{ path: '(root)', value: input, expected: 'an object of options', message: `the config must be an object of options, got ${show(input)}` }];
  }
  const path = issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
  const key = String(issue.path[0]) as CoreOptionName;
  const option = CORE_OPTIONS[key] as (typeof CORE_OPTIONS)[CoreOptionName] | undefined;
  const value = 'input' in issue ? issue.input : undefined;
  const expected = option?.expected ?? issue.message;
  const flag = option?.flag ? ` (${option.flag})` : '';
  return [{ path, value, expected, message: `${path}${flag}: got ${show(value)}; expected ${expected}` }];
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}" (a string)`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
