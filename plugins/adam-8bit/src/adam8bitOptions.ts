import { configError, type ConfigProblem } from '@sdxl-trainer/core';
import { z } from 'zod';

/** Defaults of bitsandbytes' `AdamW8bit` (≥ 0.44; earlier versions used blocks of 2048). */
export const ADAM_8BIT_DEFAULTS = { blockSize: 256, minEightBitSize: 4096 } as const;

/** The zod schema of {@link Adam8bitOptions}. */
export const adam8bitOptionsSchema = z
  .object({
    /** Values per quantisation block, each with its own absmax (bitsandbytes: 256). */
    blockSize: z
      .number()
      .int()
      .min(4)
      .max(2 ** 20)
      .refine((n) => n % 4 === 0)
      .default(ADAM_8BIT_DEFAULTS.blockSize),
    /** Parameters with fewer values keep float32 moments (bitsandbytes' `min_8bit_size`: 4096). */
    minEightBitSize: z.number().int().min(0).default(ADAM_8BIT_DEFAULTS.minEightBitSize),
  })
  .strict();

/** Options of the 8-bit AdamW plugin. */
export type Adam8bitOptions = z.input<typeof adam8bitOptionsSchema>;

/** The options with defaults filled in. */
export type ResolvedAdam8bitOptions = z.output<typeof adam8bitOptionsSchema>;

const EXPECTED: Record<string, string> = {
  blockSize: 'a multiple of 4 from 4 to 1048576 (bitsandbytes uses 256)',
  minEightBitSize: 'a non-negative integer (bitsandbytes uses 4096)',
};

/** Validate options; a bad one throws SdxlError(CONFIG_INVALID) naming the option, the value and what it accepts. */
export function parseAdam8bitOptions(source: string, options: unknown): ResolvedAdam8bitOptions {
  const result = adam8bitOptionsSchema.safeParse(options ?? {});
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: key, value: (options as Record<string, unknown>)[key], expected: 'blockSize or minEightBitSize', message: `unknown option "${key}"; known options: blockSize, minEightBitSize` }));
    }
    const path = issue.path.map(String).join('.') || '(options)';
    const value = issue.path.length > 0 ? (options as Record<string, unknown>)[String(issue.path[0])] : options;
    const expected = EXPECTED[path] ?? 'an object { blockSize?, minEightBitSize? }';
    return [{ path, value, expected, message: `${path}: got ${JSON.stringify(value)}; expected ${expected}` }];
  });
  throw configError(source, problems);
}
