import { describe, expect, it } from 'vitest';
import { Rng, Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { ddpmPlugin, toyTrainer } from '@sdxl-trainer/tests-toy';
import { generateTimestepWeights } from './generateTimestepWeights.js';
import { TimestepBiasSampler } from './TimestepBiasSampler.js';
import { timestepBias } from './timestepBias.js';

/** Records the timesteps of every micro-batch, as the loss weighting sees them. */
function recordTimesteps(into: number[]): TrainerPlugin {
  return {
    name: 'test:record-timesteps',
    apply: (t) =>
      t.hooks.computeLossWeights.tap({ name: 'test:record-timesteps', stage: Stage.REPORT }, (weights, context) => {
        into.push(...context.timestepValues);
        return weights;
      }),
  };
}

async function run(plugins: TrainerPlugin[], steps = 6): Promise<{ losses: number[]; timesteps: number[]; logs: string[] }> {
  const timesteps: number[] = [];
  const losses: number[] = [];
  const logs: string[] = [];
  const trainer = toyTrainer({ maxTrainSteps: steps, extraPlugins: [...plugins, recordTimesteps(timesteps)] });
  trainer.events$.subscribe((e) => {
    if (e.type === 'step:end') losses.push(e.loss);
    if (e.type === 'log') logs.push(e.message);
  });
  await trainer.run();
  return { losses, timesteps, logs };
}

describe('timestepBias', () => {
  it('with strategy "none" does nothing: no tap, and the run is the uniform run, draw for draw', async () => {
    const plugin = timestepBias({ strategy: 'none', multiplier: 3 });
    const trainer = toyTrainer({ extraPlugins: [plugin] });
    const tapNames = Object.values(trainer.hooks).flatMap((hook) => hook.taps.map((tap) => tap.name));
    expect(tapNames).not.toContain(plugin.name);
    expect(tapNames.length).toBeGreaterThan(0);
    const plain = await run([]);
    const none = await run([timestepBias({ strategy: 'none', multiplier: 3 })]);
    expect(none.timesteps).toEqual(plain.timesteps);
    expect(none.losses).toEqual(plain.losses);
  });

  it('trains with the biased sampler: the timesteps are its draws from the run\'s seeded "timesteps" stream', async () => {
    const options = { strategy: 'range', multiplier: 50, begin: 200, end: 300 } as const;
    const { losses, timesteps, logs } = await run([timestepBias(options)], 8);
    expect(losses).toHaveLength(8);
    expect(losses.every(Number.isFinite)).toBe(true);
    // toyTrainer: seed 1, batch 4, one micro-batch per step; nothing else draws from the "timesteps" stream
    const sampler = new TimestepBiasSampler(generateTimestepWeights(options, 1000));
    const rng = Rng.fromSeed(1, 'timesteps');
    const expected = Array.from({ length: 8 }, () => Array.from(sampler.sample(4, rng))).flat();
    expect(timesteps).toEqual(expected);
    // 100·50 / (100·50 + 900) ≈ 85% of draws land in [200, 300)
    expect(timesteps.filter((t) => t >= 200 && t < 300).length).toBeGreaterThan(timesteps.length / 2);
    expect(logs.join('\n')).toMatch(/timestep bias "range": timesteps \[200, 300\) weighted ×50, drawn 84\.7% of the time/);
  });

  it('replaces the sampler even with multiplier 1 (the script samples torch.multinomial for every strategy but "none")', async () => {
    const plain = await run([], 3);
    const flat = await run([timestepBias({ strategy: 'earlier', multiplier: 1 })], 3);
    expect(flat.timesteps).not.toEqual(plain.timesteps);
  });

  it('fails at configResolved when "range" ends past the schedule\'s timesteps', () => {
    const trainer = toyTrainer({ extraPlugins: [ddpmPlugin({ num_train_timesteps: 500 }), timestepBias({ strategy: 'range', begin: 100, end: 1000 })] });
    expect(() => trainer.prepare()).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, hook: 'configResolved' }));
    const again = toyTrainer({ extraPlugins: [ddpmPlugin({ num_train_timesteps: 500 }), timestepBias({ strategy: 'range', begin: 100, end: 1000 })] });
    expect(() => again.prepare()).toThrow(/end \(--timestep_bias_end\): got 1000; expected at most the number of training timesteps \(500\)/);
  });

  it('rejects bad options in the factory, before any run', () => {
    expect(() => timestepBias({ strategy: 'later', multiplier: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }));
    expect(() => timestepBias({ strategy: 'none', portion: 2 })).toThrow(/portion \(--timestep_bias_portion\): got 2/);
    expect(() => timestepBias({} as never)).toThrow(/strategy \(--timestep_bias_strategy\): got nothing/);
  });

  it('is named after its package', () => {
    expect(timestepBias({ strategy: 'earlier' }).name).toBe('@sdxl-trainer/plugin-timestep-bias');
  });
});
