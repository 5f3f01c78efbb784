import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@sdxl-trainer/errors';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { describe, expect, it } from 'vitest';
import { parseModelIndex, readModelIndex } from './readModelIndex.js';

// The fixture's model_index.json is what diffusers 0.27.2's save_pretrained writes for an SDXL pipeline.
const fixtureIndex = JSON.parse(readFileSync(sdxlTinyFixture('model_index.json'), 'utf8')) as Record<string, unknown>;
const caught = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};
const variant = (changes: Record<string, unknown>) => parseModelIndex({ ...fixtureIndex, ...changes }, 'model_index.json');

describe('readModelIndex', () => {
  it("reads the fixture's model_index.json: classes, force_zeros_for_empty_prompt, null IP-Adapter entries not reported", async () => {
    const index = await readModelIndex(sdxlTinyFixture());
    expect(index.forceZerosForEmptyPrompt).toBe(true);
    expect(index.diffusersVersion).toBe('0.27.2');
    expect(index.components.text_encoder_2).toEqual(['transformers', 'CLIPTextModelWithProjection']);
    expect(index.components.scheduler).toEqual(['diffusers', 'EulerDiscreteScheduler']);
    expect(index.ignored).toEqual([]);
  });

  it('defaults force_zeros_for_empty_prompt to true and accepts the fast tokenizer class', () => {
    const { force_zeros_for_empty_prompt: _, ...rest } = fixtureIndex;
    expect(parseModelIndex({ ...rest, tokenizer: ['transformers', 'CLIPTokenizerFast'] }, 'x').forceZerosForEmptyPrompt).toBe(true);
    expect(variant({ force_zeros_for_empty_prompt: false }).forceZerosForEmptyPrompt).toBe(false);
  });

  it('ignores a present image_encoder / feature_extractor (IP-Adapter only) and reports them', () => {
    const index = variant({ image_encoder: ['transformers', 'CLIPVisionModelWithProjection'], feature_extractor: ['transformers', 'CLIPImageProcessor'] });
    expect(index.ignored).toEqual(['feature_extractor', 'image_encoder']);
  });

  it('refuses other pipelines, unsupported classes, missing or null components and unknown components by name', () => {
    expect(() => variant({ _class_name: 'StableDiffusionXLImg2ImgPipeline' })).toThrow(/_class_name is "StableDiffusionXLImg2ImgPipeline".*refiner/);
    expect(() => variant({ scheduler: ['diffusers', 'DPMSolverMultistepScheduler'] })).toThrow(
      /scheduler is diffusers\.DPMSolverMultistepScheduler; supported: diffusers\.EulerDiscreteScheduler/,
    );
    expect(() => variant({ text_encoder: [null, null] })).toThrow(/"text_encoder" is \[null, null\]/);
    expect(() => variant({ unet: 'UNet2DConditionModel' })).toThrow(/"unet" must be \[library, class\]/);
    expect(() => variant({ controlnet: ['diffusers', 'ControlNetModel'] })).toThrow(/unknown component "controlnet"/);
    const { vae: _, ...noVae } = fixtureIndex;
    expect(() => parseModelIndex(noVae, 'm.json')).toThrow(/m\.json: no "vae" entry/);
    expect(caught(() => variant({ vae: ['diffusers', 'AsymmetricAutoencoderKL'] }))).toMatchObject({
      code: ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED,
      details: { component: 'vae', class: 'AsymmetricAutoencoderKL' },
    });
  });

  it('says what is wrong with a missing or malformed file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'model-index-'));
    await expect(readModelIndex(folder)).rejects.toMatchObject({ code: ErrorCode.FILE_NOT_FOUND });
    await writeFile(join(folder, 'model_index.json'), '{ nope');
    await expect(readModelIndex(folder)).rejects.toMatchObject({ code: ErrorCode.PIPELINE_MODEL_INDEX_INVALID });
  });
});
