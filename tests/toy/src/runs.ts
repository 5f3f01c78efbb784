import type { BackendName } from '@sdxl-trainer/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer, type PluginOption, type RunConfig, type TrainerSnapshot } from '@sdxl-trainer/core';
import { ddpmPlugin } from './ddpmPlugin.js';
import { mlpDenoiserPlugin, type MlpDenoiser } from './mlpDenoiser.js';
import { toyDataPlugin, toySamples } from './toyData.js';

export const FEATURES = 8;
export const CLASSES = 3;

/** What a test run recorded. */
export interface RecordedRun {
  readonly trainer: Trainer;
  readonly losses: number[];
  readonly finalWeights: Map<string, Float32Array>;
  readonly tensorCounts: number[];
}

/** A trainer over the toy data with the MLP denoiser and DDPM, on the cpu backend unless told otherwise. */
export function toyTrainer(config: Partial<RunConfig> & { samples?: number; extraPlugins?: PluginOption[]; onModel?: (m: MlpDenoiser) => void }): Trainer {
  const { samples = 24, extraPlugins = [], onModel, ...rest } = config;
  return new Trainer({
    // why: CI reruns this suite on the linked TensorFlow backend (SDXL_TEST_BACKEND=tensorflow).
    backend: (process.env['SDXL_TEST_BACKEND'] as BackendName | undefined) ?? 'cpu',
    seed: 1,
    trainBatchSize: 4,
    learningRate: 1e-2,
    lrWarmupSteps: 0,
    maxTrainSteps: 10,
    outputDir: 'unused',
    ...rest,
    plugins: [
      ddpmPlugin(),
      mlpDenoiserPlugin({ features: FEATURES, hidden: 32, condFeatures: CLASSES, seed: 3 }, onModel),
      toyDataPlugin(toySamples(samples, FEATURES, CLASSES, 7)),
      ...extraPlugins,
      ...(rest.plugins ?? []),
    ],
  });
}

/** Run a toy trainer, recording the loss of every step, the tensor count after every step, and the final weights. */
export async function recordRun(config: Parameters<typeof toyTrainer>[0]): Promise<RecordedRun> {
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  const finalWeights = new Map<string, Float32Array>();
  let model: MlpDenoiser | undefined;
  const trainer = toyTrainer({
    ...config,
    onModel: (m) => {
      model = m;
      config.onModel?.(m);
    },
    extraPlugins: [
      ...(config.extraPlugins ?? []),
      {
        name: 'test:recorder',
        apply(t) {
          t.hooks.afterStep.tap('test:recorder', ({ loss }) => {
            losses.push(loss);
            tensorCounts.push(tf.memory().numTensors);
          });
          t.hooks.afterTrain.tap('test:recorder', () => {
            for (const [name, v] of model!.trainableVariables) finalWeights.set(name, v.dataSync().slice() as Float32Array);
          });
        },
      },
    ],
  });
  await trainer.run();
  return { trainer, losses, finalWeights, tensorCounts };
}

/** A deep copy of a snapshot (what a checkpoint writer would persist), independent of the live run's tensors. */
export function cloneSnapshot(snapshot: TrainerSnapshot): TrainerSnapshot {
  return {
    state: deepClone(snapshot.state) as TrainerSnapshot['state'],
    rng: deepClone(snapshot.rng) as TrainerSnapshot['rng'],
    lrScheduler: deepClone(snapshot.lrScheduler) as TrainerSnapshot['lrScheduler'],
    optimizer: deepClone(snapshot.optimizer) as TrainerSnapshot['optimizer'],
    model: new Map([...snapshot.model].map(([k, t]) => [k, tf.keep(t.clone())])),
    plugins: deepClone(snapshot.plugins) as TrainerSnapshot['plugins'],
  };
}

/** Copies JSON values and typed arrays; tf.Tensor leaves (e.g. EMA shadows in plugin state) become kept clones. */
function deepClone(value: unknown): unknown {
  if (value instanceof tf.Tensor) return tf.keep(value.clone());
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, deepClone(v)]));
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (Array.isArray(value)) return value.map(deepClone);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepClone(v)]));
  return value;
}

/** Largest absolute difference between two sets of weights. */
export function maxWeightDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, values] of a) {
    const other = b.get(name)!;
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]! - other[i]!));
  }
  return max;
}
