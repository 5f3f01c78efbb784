import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { sdxlTinyRepoFiles, startLocalHub } from '@sdxl-trainer/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineComponents } from './loadPipelineComponents.js';
import { StableDiffusionXLPipeline } from './StableDiffusionXLPipeline.js';
import { fixtureFolder, maxAbsDiff } from './testing/reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A copy of the fixture folder made of symlinks, with `unet/` and `vae/` rebuilt by `edit`. */
async function folderWith(edit: (unet: string, vae: string) => Promise<void>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'sdxl-pipeline-'));
  for (const entry of await readdir(fixtureFolder())) {
    if (entry === 'unet' || entry === 'vae') await mkdir(join(root, entry));
    else await symlink(join(fixtureFolder(), entry), join(root, entry));
  }
  await edit(join(root, 'unet'), join(root, 'vae'));
  return root;
}

const link = (from: string, to: string) => symlink(join(fixtureFolder(), from), to);

describe('loadPipelineComponents', () => {
  it('loads a variant where a component has it and plain weights elsewhere (diffusers fallback), and refuses a variant nobody has', async () => {
    const root = await folderWith(async (unet, vae) => {
      await link('unet/config.json', join(unet, 'config.json'));
      await link('unet/diffusion_pytorch_model.safetensors', join(unet, 'diffusion_pytorch_model.fp16.safetensors'));
      await link('vae/config.json', join(vae, 'config.json'));
      await link('vae/diffusion_pytorch_model.safetensors', join(vae, 'diffusion_pytorch_model.safetensors'));
    });
    const loaded = await loadPipelineComponents(root, { variant: 'fp16' });
    expect(loaded.variantFallbacks).toEqual(['vae', 'text_encoder', 'text_encoder_2']);
    const reference = await StableDiffusionXLPipeline.fromPretrained(fixtureFolder());
    const name = 'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight';
    const value = (pipe: { unet: { namedParameters(): [string, { value: tf.Tensor }][] } }) => pipe.unet.namedParameters().find(([n]) => n === name)![1].value.dataSync();
    expect(maxAbsDiff(value(loaded.components), value(reference))).toBe(0);
    new StableDiffusionXLPipeline(loaded.components).dispose();
    reference.dispose();
    await expect(loadPipelineComponents(root, { variant: 'bf16' })).rejects.toMatchObject({ code: ErrorCode.PIPELINE_VARIANT_NOT_FOUND });
  });

  it('frees the models it loaded when a later one fails', async () => {
    const root = await folderWith(async (unet, vae) => {
      await link('unet/config.json', join(unet, 'config.json'));
      await link('unet/diffusion_pytorch_model.safetensors', join(unet, 'diffusion_pytorch_model.safetensors'));
      await link('vae/config.json', join(vae, 'config.json'));
    });
    const before = tf.memory().numTensors;
    await expect(loadPipelineComponents(root)).rejects.toMatchObject({ code: ErrorCode.FILE_NOT_FOUND, message: expect.stringMatching(/vae has no weights/) });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('StableDiffusionXLPipeline.fromPretrained with a Hub id', () => {
  it('downloads into the HF cache through the Hub, then loads offline from the cache', async () => {
    const hub = await startLocalHub({ repos: [{ type: 'model', id: 'tiny-org/sdxl-tiny', files: sdxlTinyRepoFiles() }] });
    const cacheDir = await mkdtemp(join(tmpdir(), 'hf-cache-'));
    let online: StableDiffusionXLPipeline;
    try {
      online = await StableDiffusionXLPipeline.fromPretrained('tiny-org/sdxl-tiny', { endpoint: hub.url, cacheDir });
    } finally {
      await hub.close();
    }
    expect(online.source).toMatchObject({ repoId: 'tiny-org/sdxl-tiny', commit: hub.branchHead('model', 'tiny-org/sdxl-tiny') });
    expect(online.source!.path.startsWith(join(cacheDir, 'models--tiny-org--sdxl-tiny', 'snapshots'))).toBe(true);
    const offline = await StableDiffusionXLPipeline.fromPretrained('tiny-org/sdxl-tiny', { cacheDir, offline: true });
    expect(offline.source!.path).toBe(online.source!.path);
    expect(offline.unet.parameterCount()).toBe(1976516);
    online.dispose();
    offline.dispose();
  });
});
