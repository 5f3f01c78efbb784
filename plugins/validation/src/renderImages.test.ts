import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Trainer, type ValidationImage } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { StableDiffusionXLPipeline } from '@sdxl-trainer/pipeline';
import { initBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishImages, validationImages } from './publishImages.js';
import { renderImages, type RenderedImages } from './renderImages.js';
import { pngSize, testBackend } from './testing/fixtureRun.js';

const PROMPT = 'a red circle';
// width ≠ height, so a swapped axis shows
const settings = { prompt: PROMPT, numImages: 2, seed: 5, numInferenceSteps: 2, guidanceScale: 5, width: 24, height: 16 };
let pipe: StableDiffusionXLPipeline;
let work: string;
let rendered: RenderedImages;
beforeAll(async () => {
  await initBackend({ backend: testBackend() });
  pipe = await StableDiffusionXLPipeline.fromPretrained(sdxlTinyFixture());
  work = await mkdtemp(join(tmpdir(), 'validation-render-'));
  rendered = await renderImages(pipe, settings);
});
afterAll(async () => {
  pipe?.dispose();
  await rm(work, { recursive: true, force: true });
});


describe('renderImages', () => {
  it('draws image i from seed + i, one call each, stacked NHWC in order', async () => {
    expect(rendered.images.shape).toEqual([2, 16, 24, 3]);
    expect(rendered.seeds).toEqual([5, 6]);
    expect([rendered.width, rendered.height]).toEqual([24, 16]);
    const size = 16 * 24 * 3;
    for (const i of [0, 1]) {
      const single = await pipe.call({ prompt: PROMPT, seed: 5 + i, numInferenceSteps: 2, width: 24, height: 16 });
      expect(rendered.images.data.subarray(i * size, (i + 1) * size)).toEqual(single.images.data);
    }
    // the seeds a batched call with seed 5 gives its images (the pipeline's own rule): the same images, up to the
    // float32 differences of a batch of 2 against batches of 1 (at most one 8-bit level)
    const batched = await pipe.call({ prompt: PROMPT, seed: 5, numImagesPerPrompt: 2, numInferenceSteps: 2, width: 24, height: 16 });
    expect(batched.seeds).toEqual(rendered.seeds);
    const worst = rendered.images.data.reduce((max, v, i) => Math.max(max, Math.abs(v - batched.images.data[i]!)), 0);
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses zero images', async () => {
    await expect(renderImages(pipe, { ...settings, numImages: 0 })).rejects.toThrow(expect.objectContaining({ code: ErrorCode.PIPELINE_INPUT_INVALID }));
  });
});

describe('publishImages', () => {
  it('writes <i>.png and emits one validation:images event: tag/i, HWC bytes, caption "i: prompt"', async () => {
    const trainer = new Trainer({ backend: 'cpu' });
    const events: { step: number; images: readonly ValidationImage[] }[] = [];
    trainer.events$.subscribe((event) => {
      if (event.type === 'validation:images') events.push({ step: event.step, images: event.images });
    });
    const folder = join(work, 'step-7');
    const paths = await publishImages(trainer, rendered, { folder, tag: 'validation', step: 7, prompt: PROMPT });
    expect(paths).toEqual([join(folder, '0.png'), join(folder, '1.png')]);
    expect((await readdir(folder)).sort()).toEqual(['0.png', '1.png']);
    for (const path of paths) expect(await pngSize(path)).toEqual({ width: 24, height: 16 });

    expect(events).toHaveLength(1);
    expect(events[0]!.step).toBe(7);
    const size = 16 * 24 * 3;
    expect(events[0]!.images).toEqual([0, 1].map((i) => ({ tag: `validation/${i}`, data: rendered.images.data.slice(i * size, (i + 1) * size), width: 24, height: 16, caption: `${i}: ${PROMPT}` })));
    // each image owns its bytes (a copy, not a view of the batch), so a reporter may keep it
    expect(validationImages(rendered, 'test', PROMPT)[1]!.data.buffer).not.toBe(rendered.images.data.buffer);
  });
});
