import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoencoderKL, CLIPTextModel, UNet2DConditionModel } from '@sdxl-trainer/models';
import { initBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelIndex } from './buildModelIndex.js';
import { saveDiffusersPipeline, type PipelineComponentFolders } from './saveDiffusersPipeline.js';

let work: string;
let unet: UNet2DConditionModel;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  work = await mkdtemp(join(tmpdir(), 'sdxl-save-'));
  unet = await UNet2DConditionModel.fromPretrained(sdxlTinyFixture(), { subfolder: 'unet' });
});
afterAll(async () => {
  unet.dispose();
  await rm(work, { recursive: true, force: true });
});

function fixtureComponents(root: string): PipelineComponentFolders {
  const at = (name: string) => ({ folder: join(root, name) });
  return {
    text_encoder: at('text_encoder'),
    text_encoder_2: at('text_encoder_2'),
    tokenizer: at('tokenizer'),
    tokenizer_2: at('tokenizer_2'),
    vae: at('vae'),
    scheduler: at('scheduler'),
  };
}

async function listFiles(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(folder.length + 1)).sort();
}

describe('saveDiffusersPipeline (the final save of train_text_to_image_sdxl.py)', () => {
  it('writes the fixture layout: the same files, frozen components byte for byte, no temporary files left', async () => {
    const out = join(work, 'plain');
    await saveDiffusersPipeline({ outputDir: out, unet, components: fixtureComponents(sdxlTinyFixture()), modelIndexPath: sdxlTinyFixture('model_index.json') });
    const expected = (await listFiles(sdxlTinyFixture())).filter((f) => !f.startsWith('reference/') && f !== 'README.md');
    expect(await listFiles(out)).toEqual(expected);
    for (const file of expected.filter((f) => !f.startsWith('unet/') && f !== 'model_index.json')) {
      expect(Buffer.compare(await readFile(join(out, file)), await readFile(sdxlTinyFixture(file))), file).toBe(0);
    }
    expect(JSON.parse(await readFile(join(out, 'model_index.json'), 'utf8'))).toEqual(JSON.parse(await readFile(sdxlTinyFixture('model_index.json'), 'utf8')));
  });

  it('writes variant weights under the plain names, keeps sharded indexes with their shards, and takes a VAE from another folder', async () => {
    // a source whose text_encoder only has fp16-variant weights, and a swapped VAE saved in small shards
    const source = join(work, 'variant-source');
    await cp(sdxlTinyFixture(), source, { recursive: true, filter: (path) => !path.includes('reference') });
    await rename(join(source, 'text_encoder', 'model.safetensors'), join(source, 'text_encoder', 'model.fp16.safetensors'));
    const swappedVae = join(work, 'swapped-vae');
    const vae = await AutoencoderKL.fromPretrained(sdxlTinyFixture(), { subfolder: 'vae' });
    await vae.savePretrained(swappedVae, { maxShardBytes: 1_000_000 });
    vae.dispose();
    const shards = (await readdir(swappedVae)).filter((f) => f.endsWith('.safetensors')).sort();
    expect(shards.length).toBeGreaterThan(1);

    const out = join(work, 'variant-out');
    await saveDiffusersPipeline({
      outputDir: out,
      unet,
      components: { ...fixtureComponents(source), text_encoder: { folder: join(source, 'text_encoder'), variant: 'fp16' }, vae: { folder: swappedVae } },
      modelIndexPath: join(source, 'model_index.json'),
    });
    expect(Buffer.compare(await readFile(join(out, 'text_encoder', 'model.safetensors')), await readFile(sdxlTinyFixture('text_encoder', 'model.safetensors')))).toBe(0);
    expect((await readdir(join(out, 'vae'))).sort()).toEqual(['config.json', 'diffusion_pytorch_model.safetensors.index.json', ...shards].sort());
    const reloaded = await AutoencoderKL.fromPretrained(out, { subfolder: 'vae' });
    const te1 = await CLIPTextModel.fromPretrained(out, { subfolder: 'text_encoder' });
    expect(reloaded.isMaterialized && te1.isMaterialized).toBe(true);
    reloaded.dispose();
    te1.dispose();
  });

  it('builds model_index.json from the saved components when the source has none', async () => {
    const out = join(work, 'no-index');
    await mkdir(out, { recursive: true });
    await saveDiffusersPipeline({ outputDir: out, unet, components: fixtureComponents(sdxlTinyFixture()), predictionType: 'epsilon' });
    const fixtureIndex = JSON.parse(await readFile(sdxlTinyFixture('model_index.json'), 'utf8')) as Record<string, unknown>;
    // what diffusers 0.27.2 writes for these components (the fixture's own index was written by it)
    expect(JSON.parse(await readFile(join(out, 'model_index.json'), 'utf8'))).toEqual(fixtureIndex);
    // the prediction type equals the source's, so the scheduler config is copied unchanged
    expect(Buffer.compare(await readFile(join(out, 'scheduler', 'scheduler_config.json')), await readFile(sdxlTinyFixture('scheduler', 'scheduler_config.json')))).toBe(0);
  });

  it('buildModelIndex keeps the source keys and sets the saved classes', () => {
    const index = buildModelIndex({ _class_name: 'StableDiffusionXLPipeline', _diffusers_version: '0.30.0', force_zeros_for_empty_prompt: false, vae: ['diffusers', 'AutoencoderKL'] }, { vae: ['diffusers', 'AutoencoderTiny'] });
    expect(index).toEqual({ _class_name: 'StableDiffusionXLPipeline', _diffusers_version: '0.30.0', force_zeros_for_empty_prompt: false, vae: ['diffusers', 'AutoencoderTiny'] });
  });
});
