import { NoiseSchedule, Stage, configError, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { biasedTimesteps, generateTimestepWeights } from './generateTimestepWeights.js';
import { NAME } from './pluginName.js';
import { TimestepBiasSampler } from './TimestepBiasSampler.js';
import { parseTimestepBiasOptions, timestepProblems, type TimestepBiasOptions } from './timestepBiasOptions.js';

/**
 * Timestep bias (diffusers --timestep_bias_strategy / _multiplier / _begin / _end / _portion): replaces the
 * uniform timestep sampler with one that draws from the weights of `generate_timestep_weights`, for every
 * strategy but "none" — for "none" the plugin does nothing and the script's `torch.randint` (the core's uniform
 * sampler) stays.
 */
export function timestepBias(options: TimestepBiasOptions): TrainerPlugin {
  const settings = parseTimestepBiasOptions(options);
  if (settings.strategy === 'none') return { name: NAME, apply() {} };
  let sampler: TimestepBiasSampler | undefined;

  return {
    name: NAME,
    apply(trainer) {
      const numTimesteps = (): number => trainer.container.resolve(NoiseSchedule).numTrainTimesteps;
      // why: "range" needs end ≤ T; check as soon as the schedule is known, so a bad end fails before any model loads.
      trainer.hooks.configResolved.tap(NAME, () => {
        if (!trainer.container.isRegistered(NoiseSchedule, true)) return;
        const problems = timestepProblems(settings, numTimesteps());
        if (problems.length > 0) throw configError(NAME, problems);
      });
      trainer.hooks.beforeTrain.tap({ name: NAME, stage: Stage.PRE }, () => {
        const total = numTimesteps();
        const weights = generateTimestepWeights(settings, total);
        sampler = new TimestepBiasSampler(weights);
        const range = biasedTimesteps(settings, total)!;
        let share = 0;
        for (let t = range.begin; t < range.end; t++) share += weights[t]!;
        trainer.logger.info(
          `timestep bias "${settings.strategy}": timesteps [${range.begin}, ${range.end}) weighted ×${settings.multiplier}, drawn ${(100 * share).toFixed(1)}% of the time`,
          { strategy: settings.strategy, begin: range.begin, end: range.end, multiplier: settings.multiplier, share },
        );
      });
      trainer.hooks.sampleTimesteps.tap({ name: NAME, stage: Stage.PROVIDE }, () => {
        if (!sampler) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, 'sampleTimesteps ran before beforeTrain built the biased sampler');
        return sampler;
      });
    },
  };
}
