import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { z } from 'zod';
import { suggestName } from '../suggest.js';

/** One problem found in a config or in plugin options: which field, what value, what was expected. */
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

/** How one option is described in error messages: its diffusers flag (if any) and what it accepts (or just that). */
export type OptionDescription = { readonly flag?: string | undefined; readonly expected: string } | string;

function describeOption(description: OptionDescription | undefined): { flag?: string | undefined; expected?: string } {
  return typeof description === 'string' ? { expected: description } : (description ?? {});
}

/**
 * Validate options (a run config, or a plugin's options) with a strict zod schema and fill defaults. Bad options
 * throw one SdxlError(CONFIG_INVALID) with one line per problem, naming the option, its flag, the value and what
 * was expected ("did you mean" for a misspelt key). `check` adds problems the schema cannot see.
 */
export function parseOptions<S extends z.ZodType>(
  source: string,
  schema: S,
  input: unknown,
  described: Readonly<Record<string, OptionDescription>>,
  check: (options: z.output<S>) => ConfigProblem[] = () => [],
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw configError(source, result.error.issues.flatMap((issue) => describeIssue(issue, input, described)));
  const problems = check(result.data);
  if (problems.length > 0) throw configError(source, problems);
  return result.data;
}

/** One problem for `option`: "option (--flag): got value; expected ...". */
export function optionProblem(option: string, value: unknown, described: Readonly<Record<string, OptionDescription>>, expected?: string): ConfigProblem {
  const description = describeOption(described[option.replace(/[.[].*$/, '')]);
  const flag = description.flag ? ` (${description.flag})` : '';
  const wanted = expected ?? description.expected ?? 'a valid value';
  return { path: option, value, expected: wanted, message: `${option}${flag}: got ${show(value)}; expected ${wanted}` };
}

/** The SdxlError for a list of problems in `source` (a file name or a plugin name). */
export function configError(source: string, problems: readonly ConfigProblem[], cause?: unknown): SdxlError {
  const lines = problems.map((p) => `  ${source}: ${p.message}`);
  return new SdxlError(ErrorCode.CONFIG_INVALID, `invalid config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
    details: { source, problems },
    cause,
  });
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
    return [{ path: '(root)', value: input, expected: 'an object of options', message: `must be an object of options, got ${show(input)}` }];
  }
  const path = issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
  const expected = described[String(issue.path[0])] ? undefined : issue.message;
  return [optionProblem(path, 'input' in issue ? issue.input : undefined, described, expected)];
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}" (a string)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
