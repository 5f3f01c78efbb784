import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { initBackend } from '@sdxl-trainer/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposePromptEmbeddings } from './encodePrompt.js';
import { toUint8 } from './postprocess.js';
import { seededLatents } from './seededLatents.js';
import { StableDiffusionXLPipeline } from './StableDiffusionXLPipeline.js';
import { fixtureFolder, maxAbsDiff, pipelineValues } from './testing/reference.js';
import { replay } from './testing/replay.js';

// Configurations the PyTorch fixture does not cover, checked on wasm against an independent replay of the reference
// loop (testing/replay.ts: the models called directly, the Euler update written out) or against single-image runs.
// Tolerance 1e-4 absolute, as the fixture parity (same backend, so the real differences are ~1e-6).
const TOLERANCE = 1e-4;
const STEPS = 3;
const prompt = pipelineValues().prompt;

let pipe: StableDiffusionXLPipeline;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  pipe = await StableDiffusionXLPipeline.fromPretrained(fixtureFolder());
});
afterAll(() => pipe?.dispose());

/** encodePrompt's two branches as replay inputs (the caller disposes `dispose`). */
function branches(options: Parameters<StableDiffusionXLPipeline['encodePrompt']>[0]) {
  const e = pipe.encodePrompt(options);
  return {
    cond: { embeds: e.promptEmbeds, pooled: e.pooledPromptEmbeds },
    uncond: e.negativePromptEmbeds === null ? null : { embeds: e.negativePromptEmbeds, pooled: e.negativePooledPromptEmbeds! },
    dispose: () => disposePromptEmbeddings(e),
  };
}

describe('StableDiffusionXLPipeline configurations beyond the fixture (wasm)', () => {
  it('width ≠ height: 48 wide × 64 high, time ids (64, 48, 0, 0, 64, 48), against the replayed loop', async () => {
    const output = await pipe.call({ prompt, width: 48, height: 64, seed: 7, numInferenceSteps: STEPS, outputType: 'float' });
    expect(output.images.shape).toEqual([1, 64, 48, 3]);
    expect(output.latents.shape).toEqual([1, 32, 24, 4]);
    expect(output.seeds).toEqual([7]);
    const noise = seededLatents([7], 32, 24, 4);
    const b = branches({ prompt });
    const expected = await replay(pipe, { cond: b.cond, uncond: b.uncond, timeIds: [64, 48, 0, 0, 64, 48], noise, steps: STEPS, guidanceScale: 5 });
    const errors = { latents: maxAbsDiff(output.latents.data, expected.latents), image: maxAbsDiff(output.images.data, expected.image) };
    console.log('width ≠ height vs replay', errors);
    expect(errors.latents).toBeLessThanOrEqual(TOLERANCE);
    expect(errors.image).toBeLessThanOrEqual(TOLERANCE);
    // the replay with height and width swapped in the time ids is a different image: the ids really are (h, w)
    const swapped = await replay(pipe, { cond: b.cond, uncond: b.uncond, timeIds: [48, 64, 0, 0, 48, 64], noise, steps: STEPS, guidanceScale: 5 });
    expect(maxAbsDiff(output.latents.data, swapped.latents)).toBeGreaterThan(100 * TOLERANCE);
    b.dispose();
    noise.dispose();
  });

  it('numImagesPerPrompt 2 and a prompt list: image i is the single-image run with seed + i, prompts repeated in order', async () => {
    const prompts = [prompt, 'a blue square'];
    const batch = await pipe.call({ prompt: prompts, numImagesPerPrompt: 2, seed: 11, numInferenceSteps: 2, outputType: 'float' });
    expect(batch.images.shape).toEqual([4, 64, 64, 3]);
    expect(batch.seeds).toEqual([11, 12, 13, 14]);
    const size = 64 * 64 * 3;
    const expectedPrompts = [prompts[0]!, prompts[0]!, prompts[1]!, prompts[1]!];
    for (let i = 0; i < 4; i++) {
      const single = await pipe.call({ prompt: expectedPrompts[i]!, seed: 11 + i, numInferenceSteps: 2, outputType: 'float' });
      const error = maxAbsDiff(batch.images.data.subarray(i * size, (i + 1) * size), single.images.data);
      expect(error, `image ${i}`).toBeLessThanOrEqual(TOLERANCE);
    }
    // and the two prompts really give different images
    expect(maxAbsDiff(batch.images.data.subarray(0, size), batch.images.data.subarray(2 * size, 3 * size))).toBeGreaterThan(0.01);
  });

  it('a negative prompt string is encoded (not zeros) and drives the unconditional branch', async () => {
    const withNegative = pipe.encodePrompt({ prompt, negativePrompt: 'blurry' });
    const asPositive = pipe.encodePrompt({ prompt: 'blurry' });
    expect(maxAbsDiff(await withNegative.negativePromptEmbeds!.data(), await asPositive.promptEmbeds.data())).toBe(0);
    expect(maxAbsDiff(await withNegative.negativePooledPromptEmbeds!.data(), await asPositive.pooledPromptEmbeds.data())).toBe(0);
    // "" is a string too: encoded, unlike an absent negative prompt (force_zeros_for_empty_prompt)
    const empty = pipe.encodePrompt({ prompt, negativePrompt: '' });
    const emptyAsPositive = pipe.encodePrompt({ prompt: '' });
    expect(maxAbsDiff(await empty.negativePromptEmbeds!.data(), await emptyAsPositive.promptEmbeds.data())).toBe(0);
    expect(Math.max(...(await tf.max(tf.abs(empty.negativePromptEmbeds!)).data()))).toBeGreaterThan(0.1);
    [withNegative, asPositive, empty, emptyAsPositive].forEach(disposePromptEmbeddings);

    const output = await pipe.call({ prompt, negativePrompt: 'blurry', seed: 3, numInferenceSteps: STEPS, outputType: 'float' });
    const noise = seededLatents([3], 32, 32, 4);
    const b = branches({ prompt, negativePrompt: 'blurry' });
    const expected = await replay(pipe, { cond: b.cond, uncond: b.uncond, timeIds: [64, 64, 0, 0, 64, 64], noise, steps: STEPS, guidanceScale: 5 });
    expect(maxAbsDiff(output.images.data, expected.image)).toBeLessThanOrEqual(TOLERANCE);
    const zeros = await pipe.call({ prompt, seed: 3, numInferenceSteps: STEPS, outputType: 'float' });
    expect(maxAbsDiff(output.images.data, zeros.images.data)).toBeGreaterThan(0.01);
    b.dispose();
    noise.dispose();
  });

  it('without force_zeros_for_empty_prompt the negative branch is the encoding of ""', async () => {
    const plain = new StableDiffusionXLPipeline({ ...pipe, forceZerosForEmptyPrompt: false });
    const e = plain.encodePrompt({ prompt });
    const empty = plain.encodePrompt({ prompt: '' });
    expect(maxAbsDiff(await e.negativePromptEmbeds!.data(), await empty.promptEmbeds.data())).toBe(0);
    [e, empty].forEach(disposePromptEmbeddings);
  });

  it('guidance 1 runs the prompt branch alone (the replay without guidance), and ignores a negative prompt', async () => {
    const output = await pipe.call({ prompt, guidanceScale: 1, seed: 5, numInferenceSteps: STEPS, outputType: 'float' });
    const noise = seededLatents([5], 32, 32, 4);
    const b = branches({ prompt, doClassifierFreeGuidance: false });
    expect(b.uncond).toBeNull();
    const expected = await replay(pipe, { cond: b.cond, uncond: null, timeIds: [64, 64, 0, 0, 64, 64], noise, steps: STEPS, guidanceScale: 1 });
    expect(maxAbsDiff(output.images.data, expected.image)).toBeLessThanOrEqual(TOLERANCE);
    const withNegative = await pipe.call({ prompt, negativePrompt: 'blurry', guidanceScale: 1, seed: 5, numInferenceSteps: STEPS, outputType: 'float' });
    expect(maxAbsDiff(output.images.data, withNegative.images.data)).toBe(0);
    b.dispose();
    noise.dispose();
  });

  it('precomputed embeddings give the same image as the prompt; uint8 and latent outputs agree with the float run', async () => {
    const fromPrompt = await pipe.call({ prompt, seed: 9, numInferenceSteps: 2, outputType: 'float' });
    const e = pipe.encodePrompt({ prompt });
    const fromEmbeds = await pipe.call({
      promptEmbeds: e.promptEmbeds,
      pooledPromptEmbeds: e.pooledPromptEmbeds,
      negativePromptEmbeds: e.negativePromptEmbeds!,
      negativePooledPromptEmbeds: e.negativePooledPromptEmbeds!,
      seed: 9,
      numInferenceSteps: 2,
      outputType: 'float',
    });
    expect(maxAbsDiff(fromPrompt.images.data, fromEmbeds.images.data)).toBe(0);
    disposePromptEmbeddings(e);
    const bytes = await pipe.call({ prompt, seed: 9, numInferenceSteps: 2 });
    expect(bytes.images.data).toBeInstanceOf(Uint8Array);
    expect(bytes.images.data).toEqual(toUint8(fromPrompt.images.data));
    const latentOnly = await pipe.call({ prompt, seed: 9, numInferenceSteps: 2, outputType: 'latent' });
    expect(latentOnly.images).toBeNull();
    expect(maxAbsDiff(latentOnly.latents.data, fromPrompt.latents.data)).toBe(0);
  });

  it('keeps tf.memory().numTensors flat across steps and back at its baseline after a call', async () => {
    await pipe.call({ prompt, seed: 1, numInferenceSteps: 1 }); // warm-up: kernels may cache tensors once
    const baseline = tf.memory().numTensors;
    const perStep: number[] = [];
    await pipe.call({ prompt, seed: 1, numInferenceSteps: 3, numImagesPerPrompt: 2, onStep: () => perStep.push(tf.memory().numTensors) });
    expect(new Set(perStep).size).toBe(1);
    expect(tf.memory().numTensors).toBe(baseline);
    await expect(pipe.call({ prompt, width: 50 })).rejects.toMatchObject({ code: ErrorCode.PIPELINE_INPUT_INVALID });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('dispose() frees every weight of a loaded pipeline', async () => {
    const before = tf.memory().numTensors;
    const second = await StableDiffusionXLPipeline.fromPretrained(fixtureFolder());
    const weights = [second.unet, second.vae, second.textEncoder!, second.textEncoder2!].reduce((n, m) => n + m.namedParameters().length, 0);
    expect(tf.memory().numTensors - before).toBe(weights);
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(second.call({ prompt })).rejects.toMatchObject({ code: ErrorCode.PIPELINE_INPUT_INVALID });
  });

  it('refuses bad arguments with the field named', async () => {
    const latents = tf.zeros([1, 16, 16, 4]) as tf.Tensor4D;
    await expect(pipe.call({ prompt, latents })).rejects.toThrow(/latents must be float32 NHWC \[1, 32, 32, 4\]/);
    latents.dispose();
    await expect(pipe.call({ prompt, height: 60 })).rejects.toThrow(/height must be a positive multiple of 8 pixels, got 60/);
    await expect(pipe.call({ prompt, numInferenceSteps: 0 })).rejects.toThrow(/numInferenceSteps must be a positive integer/);
    await expect(pipe.call({ prompt, seed: -1 })).rejects.toThrow(/seed must be a non-negative safe integer/);
    await expect(pipe.call({})).rejects.toThrow(/a prompt \(or promptEmbeds\) is required/);
    await expect(pipe.call({ prompt: ['a', 'b'], negativePrompt: ['c'] })).rejects.toThrow(/negativePrompt has 1 entries/);
  });

  it('warns when a prompt is longer than 77 tokens', () => {
    const e = pipe.encodePrompt({ prompt: Array(90).fill('red').join(' ') });
    expect(e.warnings).toHaveLength(1);
    expect(e.warnings[0]).toMatch(/truncated to 77 tokens.*dropped: "red red/);
    disposePromptEmbeddings(e);
  });
});
