// The parity suite against reference/pipeline.safetensors, run once per backend by the *.fixture.test.ts files.
import * as tf from '@tensorflow/tfjs-core';
import type { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAddTimeIds } from '../computeAddTimeIds.js';
import { disposePromptEmbeddings } from '../encodePrompt.js';
import { toUint8 } from '../postprocess.js';
import { StableDiffusionXLPipeline } from '../StableDiffusionXLPipeline.js';
import { fixtureFolder, maxAbsDiff, maxTensorDiff, openReference, pipelineValues, readNhwc, readTensor } from './reference.js';

// PyTorch reference: reference/README.md §g (diffusers 0.27.2, float32, CPU): 5 Euler steps, guidance 5, 64×64,
// the saved initial latents. Tolerance 1e-4 absolute (the fixture's suggested atol for model outputs, values O(1));
// 8-bit pixels within one level (a float difference below 1e-4 can still flip a value sitting at a .5 boundary).
export const TOLERANCE = 1e-4;

/** Registers the parity tests; `setBackend` makes the backend under test active. */
export function describePipelineParity(backend: string, setBackend: () => Promise<void>): void {
  describe(`StableDiffusionXLPipeline against diffusers (sdxl-tiny, ${backend})`, () => {
    const values = pipelineValues();
    let pipe: StableDiffusionXLPipeline;
    let reference: SafetensorsReader;
    beforeAll(async () => {
      await setBackend();
      reference = await openReference('pipeline.safetensors');
      pipe = await StableDiffusionXLPipeline.fromPretrained(fixtureFolder());
    }, 120_000);
    afterAll(async () => {
      pipe?.dispose();
      await reference?.close();
    });

    it(`encodePrompt gives prompt_embeds_cfg and add_text_embeds_cfg ([zeros, prompt]) within ${TOLERANCE}`, async () => {
      expect(values.force_zeros_for_empty_prompt).toBe(true);
      expect(pipe.forceZerosForEmptyPrompt).toBe(true);
      const embeddings = pipe.encodePrompt({ prompt: values.prompt });
      const embedsCfg = await readTensor(reference, 'prompt_embeds_cfg');
      const pooledCfg = await readTensor(reference, 'add_text_embeds_cfg');
      const ours = tf.concat([embeddings.negativePromptEmbeds!, embeddings.promptEmbeds], 0);
      const oursPooled = tf.concat([embeddings.negativePooledPromptEmbeds!, embeddings.pooledPromptEmbeds], 0);
      const errors = { prompt_embeds_cfg: await maxTensorDiff(ours, embedsCfg), add_text_embeds_cfg: await maxTensorDiff(oursPooled, pooledCfg) };
      console.log(`[${backend}] encodePrompt max abs errors`, errors);
      for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThanOrEqual(TOLERANCE);
      // the negative half is exactly zero (force_zeros_for_empty_prompt), not the encoding of ""
      expect(Math.max(...(await tf.max(tf.abs(embeddings.negativePromptEmbeds!)).data()))).toBe(0);
      disposePromptEmbeddings(embeddings);
      tf.dispose([embedsCfg, pooledCfg, ours, oursPooled]);
    });

    it('computeAddTimeIds gives add_time_ids_cfg for both halves', async () => {
      const expected = await readTensor(reference, 'add_time_ids_cfg');
      const ids = computeAddTimeIds([values.height, values.width], [0, 0], [values.height, values.width]);
      expect(maxAbsDiff(await expected.data(), [...ids, ...ids])).toBe(0);
      expected.dispose();
    });

    it(`the 5-step guided run: every step's latents, the final latents and the image within ${TOLERANCE}; 8-bit pixels within 1`, async () => {
      const init = (await readNhwc(reference, 'init_latents')) as tf.Tensor4D;
      const stepLatents = await readNhwc(reference, 'step_latents');
      const stepErrors: number[] = [];
      const expectedSteps = tf.unstack(stepLatents);
      const output = await pipe.call({
        prompt: values.prompt,
        latents: init,
        numInferenceSteps: values.num_inference_steps,
        guidanceScale: values.guidance_scale,
        outputType: 'float',
        onStep: ({ step, latents }) => stepErrors.push(maxAbsDiff(latents.dataSync(), expectedSteps[step]!.dataSync())),
      });
      expect(output.width).toBe(values.width);
      expect(output.height).toBe(values.height);
      expect(output.seeds).toBeNull();
      const latentsOut = await readNhwc(reference, 'latents_out');
      const imageNp = await readTensor(reference, 'image_np');
      const imageUint8 = (await reference.read('image_uint8')).data as Uint8Array;
      expect(output.latents.shape).toEqual(latentsOut.shape);
      expect(output.images.shape).toEqual(imageNp.shape);
      const pixels = toUint8(output.images.data);
      let flipped = 0;
      for (let i = 0; i < pixels.length; i++) if (pixels[i] !== imageUint8[i]) flipped++;
      const errors = {
        steps: stepErrors,
        latents_out: maxAbsDiff(output.latents.data, await latentsOut.data()),
        image_np: maxAbsDiff(output.images.data, await imageNp.data()),
        image_uint8: maxAbsDiff(pixels, imageUint8),
        image_uint8_flipped: flipped,
      };
      console.log(`[${backend}] pipeline max abs errors`, errors);
      expect(stepErrors).toHaveLength(values.num_inference_steps);
      for (const [i, error] of stepErrors.entries()) expect(error, `step ${i}`).toBeLessThanOrEqual(TOLERANCE);
      expect(errors.latents_out).toBeLessThanOrEqual(TOLERANCE);
      expect(errors.image_np).toBeLessThanOrEqual(TOLERANCE);
      expect(errors.image_uint8).toBeLessThanOrEqual(1);
      tf.dispose([init, stepLatents, ...expectedSteps, latentsOut, imageNp]);
    }, 300_000);
  });
}
