import { describe, expect, it } from 'vitest';
import { isSdxlError, type SdxlError } from '@sdxl-trainer/errors';
import type { ConfigProblem } from './parseOptions.js';
import { parseConfig } from './parseConfig.js';
import { CORE_OPTIONS } from './options.js';
import { RunConfigSchema } from './schema.js';

function problemsOf(input: unknown): { error: SdxlError; problems: readonly ConfigProblem[] } {
  try {
    parseConfig(input, 'sdxl.config.ts');
  } catch (error) {
    if (!isSdxlError(error)) throw error;
    return { error, problems: error.details!['problems'] as ConfigProblem[] };
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('fills the defaults of train_text_to_image_sdxl.py', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      trainBatchSize: 16,
      numTrainEpochs: 100,
      gradientAccumulationSteps: 1,
      maxGradNorm: 1,
      learningRate: 1e-4,
      scaleLr: false,
      lrScheduler: 'constant',
      lrWarmupSteps: 500,
      adamBeta1: 0.9,
      adamBeta2: 0.999,
      adamWeightDecay: 1e-2,
      adamEpsilon: 1e-8,
      checkpointingSteps: 500,
      validationEpochs: 1,
      outputDir: 'sdxl-model-finetuned',
      backend: 'auto',
      plugins: [],
    });
    expect(config.seed).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports one problem per bad field, naming the field, the flag, the value and what was expected', () => {
    const { error, problems } = problemsOf({ trainBatchSize: '8', learningRate: -1, lrScheduler: 'cosine_annealing', adamBeta2: 1 });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(problems.map((p) => p.path).sort()).toEqual(['adamBeta2', 'learningRate', 'lrScheduler', 'trainBatchSize']);
    const lines = error.message.split('\n').slice(1);
    expect(lines).toHaveLength(4);
    expect(error.message).toContain('sdxl.config.ts: trainBatchSize (--train_batch_size): got "8" (a string); expected a positive integer');
    expect(error.message).toContain('learningRate (--learning_rate): got -1; expected a positive number');
    expect(error.message).toContain('lrScheduler (--lr_scheduler): got "cosine_annealing" (a string); expected "constant", "constant_with_warmup"');
    expect(error.message).toContain('adamBeta2 (--adam_beta2): got 1; expected a number in [0, 1)');
  });

  it('suggests the option a misspelt key was meant to be', () => {
    const { problems } = problemsOf({ trainBatchsize: 4, gradient_accumulation_steps: 2, wholly: 1 });
    expect(problems.map((p) => p.message)).toEqual([
      'unknown option "trainBatchsize"; did you mean "trainBatchSize"?',
      'unknown option "gradient_accumulation_steps"; did you mean "gradientAccumulationSteps"?',
      expect.stringMatching(/^unknown option "wholly"; known options: seed, outputDir/),
    ]);
  });

  it('rejects a non-object config and bad plugin entries with their position', () => {
    expect(problemsOf(42).error.message).toContain('sdxl.config.ts: must be an object of options, got 42');
    const { problems } = problemsOf({ plugins: [{ name: 'ok', apply() {} }, [() => undefined]] });
    expect(problems[0]!.path).toBe('plugins[1][0]');
    expect(problems[0]!.message).toMatch(/is a function, not a plugin/);
  });

  it('documents every option of the schema', () => {
    expect(Object.keys(RunConfigSchema.shape).sort()).toEqual(Object.keys(CORE_OPTIONS).sort());
  });
});
