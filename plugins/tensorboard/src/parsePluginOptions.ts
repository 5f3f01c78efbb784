import { configError, suggestName, type ConfigProblem } from '@sdxl-trainer/core';
import type { z } from 'zod';

/**
 * Validate a plugin's options with its zod schema. A bad option throws core's CONFIG_INVALID error with one line per
 * problem naming the option, the value found and what `expected` says the option accepts.
 */
export function parsePluginOptions<S extends z.ZodType>(schema: S, input: unknown, source: string, expected: Readonly<Record<string, string>>): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const suggestion = suggestName(key, Object.keys(expected));
        const hint = suggestion ? `did you mean "${suggestion}"?` : `known options: ${Object.keys(expected).join(', ')}`;
        return { path: key, value: (input as Record<string, unknown>)[key], expected: 'a known option', message: `unknown option "${key}"; ${hint}` };
      });
    }
    const path = issue.path.map(String).join('.') || '(options)';
    const value = 'input' in issue ? issue.input : undefined;
    const wanted = expected[path] ?? issue.message;
    return [{ path, value, expected: wanted, message: `${path}: got ${show(value)}; expected ${wanted}` }];
  });
  throw configError(source, problems);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}" (a string)`;
  return JSON.stringify(value) ?? String(value);
}
