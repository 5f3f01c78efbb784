import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { generateTimestepWeights } from './generateTimestepWeights.js';
import type { TimestepBiasOptions } from './timestepBiasOptions.js';

// generate_timestep_weights(args, 1000) of train_text_to_image_sdxl.py, run unmodified (reference/README.md §f).
const reference = await loadSafetensors(sdxlTinyFixture('reference', 'timestep_weights.safetensors'));
const cases = (
  JSON.parse(readFileSync(sdxlTinyFixture('reference', 'values.json'), 'utf8')) as {
    timestep_bias: {
      tensor: string;
      num_timesteps: number;
      timestep_bias_strategy: TimestepBiasOptions['strategy'];
      timestep_bias_multiplier: number;
      timestep_bias_portion: number;
      timestep_bias_begin: number;
      timestep_bias_end: number;
    }[];
  }
).timestep_bias;

/**
 * An independent float64 re-statement of the script's function with Python slice semantics spelled out
 * (`slice(-n, None)`, `slice(0, n)`, `slice(begin, end)`), for options the fixture does not cover.
 */
function naiveWeights(o: Required<TimestepBiasOptions>, T: number): number[] {
  const n = Math.trunc(o.portion * T);
  const inSlice = (t: number): boolean => {
    if (o.strategy === 'later') return t >= (n === 0 ? 0 : T - n);
    if (o.strategy === 'earlier') return t < n;
    return t >= o.begin && t < o.end;
  };
  const w = Array.from({ length: T }, (_, t) => (inSlice(t) ? o.multiplier : 1));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

describe('generateTimestepWeights against the PyTorch fixture', () => {
  it.each(cases)('$tensor ($timestep_bias_strategy) is bit-identical', (c) => {
    const weights = generateTimestepWeights(
      { strategy: c.timestep_bias_strategy, multiplier: c.timestep_bias_multiplier, portion: c.timestep_bias_portion, begin: c.timestep_bias_begin, end: c.timestep_bias_end },
      c.num_timesteps,
    );
    expect(Array.from(weights)).toEqual(Array.from(reference[c.tensor]!.data as Float32Array));
  });

  it('covers the cases it claims: "none" is the un-normalised ones, "range" ends before end (exclusive)', () => {
    expect(cases.map((c) => c.timestep_bias_strategy)).toEqual(['none', 'earlier', 'later', 'range']);
    expect(Array.from(reference['weights_0_none']!.data as Float32Array).every((w) => w === 1)).toBe(true);
    const range = reference['weights_3_range']!.data as Float32Array;
    const [low, high] = [Math.min(...range), Math.max(...range)];
    expect([range[199], range[200], range[499], range[500]]).toEqual([low, high, high, low]);
  });
});

describe('generateTimestepWeights quirks and other options', () => {
  const T = 1000;
  const uniform = Math.fround(1 / T);

  it('"later" with portion 0 biases every timestep (Python slice(-0, None)), which normalises to uniform', () => {
    const weights = generateTimestepWeights({ strategy: 'later', portion: 0, multiplier: 3 }, T);
    expect(weights.every((w) => w === uniform)).toBe(true);
  });

  it('"earlier" with portion 0 biases nothing, also uniform; multiplier 1 is uniform for every strategy', () => {
    expect(generateTimestepWeights({ strategy: 'earlier', portion: 0, multiplier: 3 }, T).every((w) => w === uniform)).toBe(true);
    for (const strategy of ['earlier', 'later', 'range'] as const) {
      expect(generateTimestepWeights({ strategy, multiplier: 1, begin: 100, end: 200 }, T).every((w) => w === uniform)).toBe(true);
    }
  });

  it.each([
    { strategy: 'later', multiplier: 1.7, portion: 0.1, begin: 0, end: 1000, T: 1000 },
    { strategy: 'earlier', multiplier: 5.5, portion: 0.333, begin: 0, end: 1000, T: 1000 },
    { strategy: 'range', multiplier: 0.3, portion: 0.25, begin: 10, end: 990, T: 1000 },
    { strategy: 'range', multiplier: 4, portion: 0.25, begin: 0, end: 500, T: 500 },
    { strategy: 'earlier', multiplier: 2, portion: 1, begin: 0, end: 1000, T: 1000 },
  ] as const)('$strategy ×$multiplier (portion $portion, [$begin, $end), T $T) agrees with a float64 statement within 1 float32 ulp', ({ T: total, ...o }) => {
    const weights = generateTimestepWeights(o, total);
    const naive = naiveWeights(o, total);
    expect(weights).toHaveLength(total);
    weights.forEach((w, t) => expect(Math.abs(w - naive[t]!)).toBeLessThanOrEqual(naive[t]! * 2 ** -23));
  });

  it('errors at once, naming the option, for what the script would crash on or silently misuse', () => {
    const problem = (options: unknown, total = T): string => {
      try {
        generateTimestepWeights(options as TimestepBiasOptions, total);
      } catch (error) {
        expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
        return (error as Error).message;
      }
      throw new Error(`no error for ${JSON.stringify(options)}`);
    };
    // the script *returns* a ValueError for these, which crashes later at `.to(device)`
    expect(problem({ strategy: 'earlier', multiplier: 0 })).toMatch(/multiplier \(--timestep_bias_multiplier\): got 0; expected a number > 0/);
    expect(problem({ strategy: 'later', multiplier: -2 })).toMatch(/multiplier \(--timestep_bias_multiplier\): got -2/);
    // the script raises for these two
    expect(problem({ strategy: 'range', begin: -1 })).toMatch(/begin \(--timestep_bias_begin\): got -1; expected an integer ≥ 0/);
    expect(problem({ strategy: 'range', begin: 0, end: 1001 })).toMatch(/end \(--timestep_bias_end\): got 1001; expected at most the number of training timesteps \(1000\)/);
    expect(problem({ strategy: 'range', begin: 0, end: 1000 }, 800)).toMatch(/end.*got 1000.*\(800\)/);
    // the script silently accepts these
    expect(problem({ strategy: 'earlier', portion: 1.5 })).toMatch(/portion \(--timestep_bias_portion\): got 1.5; expected a number in \[0, 1\]/);
    expect(problem({ strategy: 'later', portion: -0.1 })).toMatch(/portion.*got -0.1/);
    expect(problem({ strategy: 'range', begin: 600, end: 500 })).toMatch(/begin \(--timestep_bias_begin\): got 600; expected at most end \(500\)/);
    expect(problem({ strategy: 'middle' })).toMatch(/strategy \(--timestep_bias_strategy\): got "middle" \(a string\); expected one of "none", "earlier", "later", "range"/);
    expect(problem({ strategy: 'range', begin: 1.5 })).toMatch(/begin.*got 1.5/);
    expect(problem({ strategy: 'range', multipler: 2 })).toMatch(/unknown option "multipler"; did you mean "multiplier"\?/);
  });

  it('ignores end for strategies other than "range", as the script does', () => {
    expect(generateTimestepWeights({ strategy: 'earlier', multiplier: 2, end: 1000 }, 800)).toHaveLength(800);
  });
});
