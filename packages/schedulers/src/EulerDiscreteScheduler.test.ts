import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { EulerDiscreteScheduler } from './EulerDiscreteScheduler.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

const root = sdxlTinyFixture();
const values = JSON.parse(readFileSync(join(root, 'reference', 'values.json'), 'utf8')) as {
  euler: { num_inference_steps: number; timesteps: number[]; sigmas: number[]; init_noise_sigma: number };
  pipeline: { guidance_scale: number };
};

/** Row `i` of a stacked [steps, ...] tensor as a flat array. */
function row(stacked: tf.Tensor, i: number): Float32Array {
  return tf.tidy(() => tf.squeeze(tf.slice(stacked, i, 1), [0]).dataSync() as Float32Array);
}

function maxAbs(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EulerDiscreteScheduler against the PyTorch fixture (README §g)', () => {
  it('set_timesteps(5) gives the stored timesteps, sigmas and init_noise_sigma exactly', async () => {
    const scheduler = await EulerDiscreteScheduler.fromPretrained(root, { subfolder: 'scheduler' });
    expect(scheduler.ignoredConfigFields).toEqual([]);
    scheduler.setTimesteps(values.euler.num_inference_steps);
    const reader = await SafetensorsReader.open(join(root, 'reference', 'euler.safetensors'));
    expect([...scheduler.timesteps]).toEqual([...(await reader.readFloat32('timesteps'))]);
    expect([...scheduler.sigmas]).toEqual([...(await reader.readFloat32('sigmas'))]);
    expect(scheduler.initNoiseSigma).toBe((await reader.readFloat32('init_noise_sigma'))[0]);
    await reader.close();
    expect([...scheduler.timesteps]).toEqual(values.euler.timesteps);
    expect([...scheduler.sigmas]).toEqual(values.euler.sigmas);
  });

  it('replays the 5-step CFG sampling loop: scale_model_input and step match PyTorch (atol 1e-6; measured 0)', async () => {
    const reader = await SafetensorsReader.open(join(root, 'reference', 'pipeline.safetensors'));
    const read = async (name: string): Promise<tf.Tensor> => tf.tensor(await reader.readFloat32(name), [...reader.info(name).shape]);
    const unetInputs = await read('step_unet_input'); // [5, 2, 4, 32, 32]
    const noisePreds = await read('step_noise_pred');
    const stepLatents = await read('step_latents'); // [5, 1, 4, 32, 32]
    const stepTimesteps = await reader.readFloat32('step_timestep');
    const latentsOut = await reader.readFloat32('latents_out');
    const initLatents = await read('init_latents');
    await reader.close();

    const scheduler = await EulerDiscreteScheduler.fromPretrained(root, { subfolder: 'scheduler' });
    scheduler.setTimesteps(5);
    const before = tf.memory().numTensors;
    let latents = tf.tidy(() => tf.mul(initLatents, tf.scalar(scheduler.initNoiseSigma)));
    const guidance = values.pipeline.guidance_scale;
    const worst = { input: 0, latents: 0 };
    const inLoop = tf.memory().numTensors;
    for (const [i, t] of [...scheduler.timesteps].entries()) {
      expect(t).toBe(stepTimesteps[i]);
      const doubled = tf.concat([latents, latents]);
      const input = scheduler.scaleModelInput(doubled, t);
      worst.input = Math.max(worst.input, maxAbs(input.dataSync(), row(unetInputs, i)));
      const guided = tf.tidy(() => {
        const pred = tf.squeeze(tf.slice(noisePreds, i, 1), [0]);
        const [uncond, cond] = tf.split(pred, 2);
        // StableDiffusionXLPipeline: noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
        return tf.add(uncond!, tf.mul(tf.scalar(guidance), tf.sub(cond!, uncond!)));
      });
      const { prevSample, predOriginalSample } = scheduler.step(guided, t, latents);
      worst.latents = Math.max(worst.latents, maxAbs(prevSample.dataSync(), row(stepLatents, i)));
      tf.dispose([doubled, input, guided, predOriginalSample, latents]);
      latents = prevSample;
    }
    expect(worst.input).toBeLessThanOrEqual(1e-6);
    expect(worst.latents).toBeLessThanOrEqual(1e-6);
    expect(maxAbs(latents.dataSync(), latentsOut)).toBeLessThanOrEqual(1e-6);
    expect(scheduler.stepIndex).toBe(5);
    expect(tf.memory().numTensors).toBe(inLoop); // one latents tensor alive, as before the loop: nothing leaked
    latents.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([unetInputs, noisePreds, stepLatents, initLatents]);
  });
});
