import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DenoisingModel, Rng, type DenoiserInput, type TrainerPlugin } from '@sdxl-trainer/core';
import * as tf from '@tensorflow/tfjs-core';

const NAME = 'tiny-denoiser';
const TIME_FEATURES = 16;

/**
 * The model being trained: a two-layer SiLU MLP that predicts the noise of 2-D points from the noisy point and a
 * sinusoidal embedding of the timestep. It stands where the SDXL UNet stands in a real run.
 */
export function tinyDenoiser(options: { hidden?: number; seed?: number } = {}): TrainerPlugin {
  const { hidden = 64, seed = 0 } = options;
  let variables: Record<string, tf.Variable> = {};
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.loadModels.tap(NAME, () => {
        const rng = Rng.fromSeed(seed, NAME);
        const dense = (fanIn: number, fanOut: number) => tf.tensor2d(rng.fillNormal(new Float32Array(fanIn * fanOut)).map((v) => v / Math.sqrt(fanIn)), [fanIn, fanOut]);
        // why tidy: tf.variable keeps its initial tensor alive; tidy frees those, never the variables themselves.
        variables = tf.tidy(() => ({
          'in.weight': tf.variable(dense(2 + TIME_FEATURES, hidden), true, 'in.weight'),
          'in.bias': tf.variable(tf.zeros([hidden]), true, 'in.bias'),
          'hidden.weight': tf.variable(dense(hidden, hidden), true, 'hidden.weight'),
          'hidden.bias': tf.variable(tf.zeros([hidden]), true, 'hidden.bias'),
          'out.weight': tf.variable(dense(hidden, 2), true, 'out.weight'),
          'out.bias': tf.variable(tf.zeros([2]), true, 'out.bias'),
        }));
        const v = variables;
        const model: DenoisingModel = {
          trainableVariables: new Map(Object.entries(variables)),
          predict: ({ noisy, timesteps }: DenoiserInput) => {
            const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));
            const input = tf.concat([noisy as tf.Tensor2D, timeEmbedding(timesteps)], 1);
            const h1 = silu(tf.add(tf.matMul(input, v['in.weight']), v['in.bias']));
            const h2 = silu(tf.add(tf.matMul(h1 as tf.Tensor2D, v['hidden.weight']), v['hidden.bias']));
            return tf.add(tf.matMul(h2 as tf.Tensor2D, v['out.weight']), v['out.bias']);
          },
        };
        trainer.container.register(DenoisingModel, { useValue: model });
      });
      // saveModel receives the output folder at the end of the run.
      trainer.hooks.saveModel.tapPromise(NAME, async ({ outputDir }) => {
        const weights = Object.fromEntries(Object.entries(variables).map(([name, variable]) => [name, { shape: variable.shape, data: [...variable.dataSync()] }]));
        await mkdir(outputDir, { recursive: true });
        await writeFile(join(outputDir, 'tiny-denoiser.json'), JSON.stringify(weights));
      });
      trainer.hooks.shutdown.tap(NAME, () => Object.values(variables).forEach((variable) => variable.dispose()));
    },
  };
}

/** Sinusoidal embedding of integer timesteps (as in DDPM and the SDXL UNet), `[batch, TIME_FEATURES]`. */
function timeEmbedding(timesteps: tf.Tensor1D): tf.Tensor2D {
  const half = TIME_FEATURES / 2;
  const frequencies = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)));
  const angles = tf.mul(tf.expandDims(tf.cast(timesteps, 'float32'), 1), tf.expandDims(frequencies, 0));
  return tf.concat([tf.sin(angles), tf.cos(angles)], 1) as tf.Tensor2D;
}
