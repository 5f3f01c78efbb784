import * as tf from '@tensorflow/tfjs-core';
import { DenoisingModel, Rng, type DenoiserInput, type TrainerPlugin } from '@sdxl-trainer/core';

/** Shape of the test denoiser. */
export interface MlpDenoiserOptions {
  /** Size of the flat model input. */
  readonly features: number;
  readonly hidden: number;
  /** Size of the optional `cond` vector in each sample (0: unconditional). */
  readonly condFeatures: number;
  /** Seed of the initial weights. */
  readonly seed: number;
}

/**
 * A small denoiser for tests only (never part of the product): x_t, a sinusoidal embedding of t and an
 * optional condition vector go through a two-layer SiLU MLP that predicts the noise. Built from tfjs ops
 * with named variables, like the real UNet adapter.
 */
export class MlpDenoiser implements DenoisingModel {
  readonly trainableVariables: ReadonlyMap<string, tf.Variable>;
  readonly #v: Record<string, tf.Variable>;

  constructor(readonly options: MlpDenoiserOptions) {
    const rng = Rng.fromSeed(options.seed, 'mlp-init');
    const { features, hidden, condFeatures } = options;
    const dense = (fanIn: number, fanOut: number, name: string) =>
      tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(fanIn * fanOut)).map((v) => v / Math.sqrt(fanIn)), [fanIn, fanOut]), true, `${name}-${uniqueSuffix()}`);
    const bias = (n: number, name: string) => tf.variable(tf.zeros([n]), true, `${name}-${uniqueSuffix()}`);
    // why: tf.variable leaves its initial tensor alive (it shares the data); tidy frees those, never variables.
    this.#v = tf.tidy(() => ({
      'in.weight': dense(features, hidden, 'in.weight'),
      'time.weight': dense(TIME_FEATURES, hidden, 'time.weight'),
      'in.bias': bias(hidden, 'in.bias'),
      'out.weight': dense(hidden, features, 'out.weight'),
      'out.bias': bias(features, 'out.bias'),
      ...(condFeatures > 0 ? { 'cond.weight': dense(condFeatures, hidden, 'cond.weight') } : {}),
    }));
    this.trainableVariables = new Map(Object.entries(this.#v));
  }

  predict({ noisy, timesteps, batch }: DenoiserInput): tf.Tensor {
    const v = this.#v;
    const x = tf.reshape(noisy, [noisy.shape[0]!, this.options.features]);
    let h = tf.add(tf.add(tf.matMul(x, v['in.weight']!), tf.matMul(timeEmbedding(timesteps), v['time.weight']!)), v['in.bias']!);
    const cond = batch.tensors['cond'];
    if (v['cond.weight'] && cond) h = tf.add(h, tf.matMul(cond as tf.Tensor2D, v['cond.weight']));
    h = tf.mul(h, tf.sigmoid(h));
    return tf.reshape(tf.add(tf.matMul(h, v['out.weight']!), v['out.bias']!), noisy.shape);
  }

  dispose(): void {
    for (const variable of this.trainableVariables.values()) variable.dispose();
  }
}

const TIME_FEATURES = 16;

/** Sinusoidal embedding of integer timesteps (frequencies 1/1000^(i/8)). */
function timeEmbedding(timesteps: tf.Tensor1D): tf.Tensor2D {
  const half = TIME_FEATURES / 2;
  const freqs = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(1000) * i) / half)));
  const args = tf.mul(tf.expandDims(tf.cast(timesteps, 'float32'), 1), tf.expandDims(freqs, 0));
  return tf.concat([tf.sin(args), tf.cos(args)], 1) as tf.Tensor2D;
}

let counter = 0;
function uniqueSuffix(): number {
  return ++counter;
}

/** A plugin that registers an {@link MlpDenoiser} as the run's DenoisingModel and disposes it at shutdown. */
export function mlpDenoiserPlugin(options: MlpDenoiserOptions, onCreate?: (model: MlpDenoiser) => void): TrainerPlugin {
  const name = 'test:mlp-denoiser';
  return {
    name,
    apply(trainer) {
      let model: MlpDenoiser | undefined;
      trainer.hooks.loadModels.tap(name, (models) => {
        model = new MlpDenoiser(options);
        onCreate?.(model);
        models.set('mlp', model);
        trainer.container.register(DenoisingModel, { useValue: model });
      });
      trainer.hooks.shutdown.tap(name, () => model?.dispose());
    },
  };
}
