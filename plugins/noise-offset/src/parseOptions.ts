import { configError, suggestName, type ConfigProblem } from '@sdxl-trainer/core';
import type { z } from 'zod';

/** How one option is described in error messages: its diffusers flag (if any) and what it accepts. */
export interface OptionDescription {
  readonly flag?: string;
  readonly expected: string;
}

/**
 * Validate plugin options with a strict zod schema and fill defaults. Bad options throw one
 * SdxlError(CONFIG_INVALID) with a line per problem, naming the option, its flag, the value and what was expected.
 * `check` adds problems the schema cannot see (options that depend on each other).
 */
export function parseOptions<S extends z.ZodType>(
  plugin: string,
  schema: S,
  input: unknown,
  described: Readonly<Record<string, OptionDescription>>,
  check: (options: z.output<S>) => ConfigProblem[] = () => [],
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw configError(plugin, result.error.issues.flatMap((issue) => describeIssue(issue, input, described)));
  const problems = check(result.data);
  if (problems.length > 0) throw configError(plugin, problems);
  return result.data;
}

/** One problem for `option`: "option (--flag): got value; expected ...". */
export function optionProblem(option: string, value: unknown, described: Readonly<Record<string, OptionDescription>>, expected?: string): ConfigProblem {
  const description = described[option];
  const flag = description?.flag ? ` (${description.flag})` : '';
  const wanted = expected ?? description?.expected ?? 'a valid value';
  return { path: option, value, expected: wanted, message: `${option}${flag}: got ${show(value)}; expected ${wanted}` };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, described: Readonly<Record<string, OptionDescription>>): ConfigProblem[] {
  const known = Object.keys(described);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = suggestName(key, known);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : `; known options: ${known.join(', ')}`;
      return { path: key, value: (input as Record<string, unknown>)[key], expected: 'a known option', message: `unknown option "${key}"${hint}` };
    });
  }
  if (issue.path.length === 0) {
    return [{ path: '(root)', value: input, expected: 'an object of options', message: `the options must be an object, got ${show(input)}` }];
  }
  return [optionProblem(String(issue.path[0]), 'input' in issue ? issue.input : undefined, described)];
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}" (a string)`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
