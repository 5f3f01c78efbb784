import { z } from 'zod';
import { LR_SCHEDULER_NAMES } from '../optim/lrSchedules.js';
import type { PluginOption, TrainerPlugin } from '../plugin.js';
import { CORE_OPTIONS as O } from './options.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const unitInterval = z.number().min(0).lt(1);

/** The zod schema of a run config (strict: unknown keys are errors). Defaults are those of the SDXL script. */
export const RunConfigSchema = z
  .object({
    seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    outputDir: z.string().min(1).default(O.outputDir.default),
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default(O.backend.default),
    threads: positiveInt.optional(),
    trainBatchSize: positiveInt.default(O.trainBatchSize.default),
    numTrainEpochs: positiveInt.default(O.numTrainEpochs.default),
    maxTrainSteps: positiveInt.optional(),
    gradientAccumulationSteps: positiveInt.default(O.gradientAccumulationSteps.default),
    maxGradNorm: z.number().positive().nullable().default(O.maxGradNorm.default),
    learningRate: z.number().positive().default(O.learningRate.default),
    scaleLr: z.boolean().default(O.scaleLr.default),
    lrScheduler: z.enum(LR_SCHEDULER_NAMES).default(O.lrScheduler.default),
    lrWarmupSteps: nonNegativeInt.default(O.lrWarmupSteps.default),
    lrNumCycles: positiveInt.default(O.lrNumCycles.default),
    lrPower: z.number().positive().default(O.lrPower.default),
    lrEnd: z.number().nonnegative().default(O.lrEnd.default),
    lrStepRules: z.string().optional(),
    adamBeta1: unitInterval.default(O.adamBeta1.default),
    adamBeta2: unitInterval.default(O.adamBeta2.default),
    adamWeightDecay: z.number().nonnegative().default(O.adamWeightDecay.default),
    adamEpsilon: z.number().positive().default(O.adamEpsilon.default),
    predictionType: z.enum(['epsilon', 'v_prediction', 'sample']).optional(),
    loggingSteps: positiveInt.default(O.loggingSteps.default),
    checkpointingSteps: positiveInt.nullable().default(O.checkpointingSteps.default),
    validationEpochs: positiveInt.default(O.validationEpochs.default),
    plugins: z.array(z.custom<PluginOption>(() => true)).default([]),
  })
  .strict();

/** A run config as a user writes it (every option optional). */
export type RunConfig = z.input<typeof RunConfigSchema>;

/** A run config after validation: defaults filled, plugins flattened and ordered, frozen. */
export type ResolvedConfig = Readonly<Omit<z.output<typeof RunConfigSchema>, 'plugins'>> & {
  /** The user's plugins, flattened, in the order they are applied: pre, normal, post (the built-in defaults go between pre and normal). */
  readonly plugins: readonly TrainerPlugin[];
};
