import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage, type ModelSource, type TrainerPlugin } from '@sdxl-trainer/core';
import type { LatentEncoder as LatentEncoderType } from '@sdxl-trainer/data';
import { LatentEncoder, sdxlModelSources } from '@sdxl-trainer/sdxl';
import { sdxlTinyFixture, startLocalHub } from '@sdxl-trainer/testing';
import { toyTrainer } from '@sdxl-trainer/tests-toy';
import { beforeAll, describe, expect, it } from 'vitest';
import sdxlVae from './index.js';
import { maxAbsDiff, nhwc, readVaeReference } from './testing/vaeReference.js';

/** What a run saw of the latent encoder. */
interface Probe {
  id?: string;
  latent?: Float32Array;
  vaeDuringPrecompute?: boolean;
  vaeAfterPrecompute?: boolean;
  encodeAfterRelease?: unknown;
}

/**
 * Provides the fixture pipeline's sources (as the SDXL UNet plugin does) and optionally redirects `vae` (as vae-swap
 * does); encodes the fixture image in precompute through the LatentEncoder token, then stops the run before training.
 */
function probePlugin(probe: Probe, vae?: ModelSource, pipeline = sdxlTinyFixture()): TrainerPlugin {
  const name = 'test:latent-probe';
  const image = nhwc(readVaeReference().image!);
  let encoder: LatentEncoderType | undefined;
  return {
    name,
    apply(trainer) {
      trainer.hooks.resolveModelFiles.tap({ name, stage: Stage.PROVIDE }, (sources) => ({ ...sources, ...sdxlModelSources(pipeline) }));
      if (vae) trainer.hooks.resolveModelFiles.tap(name, (sources) => ({ ...sources, vae }));
      trainer.hooks.precompute.tapPromise(name, async (dataset) => {
        encoder = trainer.container.resolve(LatentEncoder);
        probe.id = encoder.id;
        probe.latent = (await encoder.encode([image]))[0]!.data as Float32Array;
        probe.vaeDuringPrecompute = trainer.models.has('vae');
        return dataset;
      });
      trainer.hooks.beforeTrain.tapPromise(name, async () => {
        probe.vaeAfterPrecompute = trainer.models.has('vae');
        probe.encodeAfterRelease = await encoder!.encode([image]).catch((error: unknown) => error);
        trainer.requestStop('the test only checks the latent encoder');
      });
    },
  };
}

let reference: ReturnType<typeof readVaeReference>;
beforeAll(() => {
  reference = readVaeReference();
});

describe('sdxl-vae in a run', () => {
  it('loads the VAE from modelSources.vae, encodes through the LatentEncoder token, and frees the VAE after precompute', async () => {
    const probe: Probe = {};
    await toyTrainer({ seed: 5, plugins: [sdxlVae(), probePlugin(probe)] }).run();
    const id = JSON.parse(probe.id!.replace(/^sdxl-vae:/, '')) as Record<string, unknown>;
    expect(id).toMatchObject({ path: sdxlTinyFixture(), subfolder: 'vae', revision: null, variant: null, commit: null, sampleSeed: 5 });
    // a local folder is keyed by its contents too, so a VAE rebuilt in place never reuses stale cached latents
    expect(Object.keys(id['files'] as object).sort()).toEqual(['config.json', 'diffusion_pytorch_model.safetensors']);
    expect(probe.vaeDuringPrecompute).toBe(true);
    expect(probe.vaeAfterPrecompute).toBe(false);
    expect(String(probe.encodeAfterRelease)).toMatch(/was released after precompute/);
    // the sample lies around scaling_factor × mean, within a few scaling_factor × std
    const mean = nhwc(reference.latent_mean!).data;
    const std = nhwc(reference.latent_std!).data;
    const z = probe.latent!.map((v, i) => (v / 0.18215 - mean[i]!) / std[i]!);
    expect(Math.max(...z.map(Math.abs))).toBeLessThan(6);
    expect(Math.abs(z.reduce((a, b) => a + b, 0) / z.length)).toBeLessThan(0.1);
  });

  it('follows a redirected VAE source (what vae-swap sets): another id, the VAE loaded from the folder itself', async () => {
    const pipelineVae: Probe = {};
    const swapped: Probe = {};
    await toyTrainer({ seed: 5, plugins: [sdxlVae(), probePlugin(pipelineVae)] }).run();
    await toyTrainer({ seed: 5, plugins: [sdxlVae(), probePlugin(swapped, { path: sdxlTinyFixture('vae'), subfolder: undefined })] }).run();
    expect(JSON.parse(swapped.id!.replace(/^sdxl-vae:/, ''))).toMatchObject({ path: sdxlTinyFixture('vae'), subfolder: null });
    expect(swapped.id).not.toBe(pipelineVae.id);
    // the same weights and image: the same latent (the noise is seeded by content, not by the source)
    expect(maxAbsDiff(swapped.latent!, pipelineVae.latent!)).toBeLessThanOrEqual(1e-6);
  });

  it('uses sampleSeed for the latent noise, and says which plugin provides the sources when none does', async () => {
    const seeded: Probe = {};
    await toyTrainer({ seed: 5, plugins: [sdxlVae({ sampleSeed: 9 }), probePlugin(seeded)] }).run();
    expect(seeded.id).toContain('"sampleSeed":9');
    await expect(toyTrainer({ plugins: [sdxlVae()] }).run()).rejects.toMatchObject({ code: 'MODEL_SOURCE_MISSING', message: expect.stringContaining('no source for the "vae" component') });
    expect(() => sdxlVae({ batchSize: 0 })).toThrow(/batchSize: got 0; expected a positive integer/);
  });
});

describe('sdxl-vae with Hub ids (a local Hub)', () => {
  it('fetches only the pipeline\'s vae/ (or a VAE repo\'s root) into --cache_dir, and keys the latents by commit', async () => {
    const file = (path: string) => readFileSync(sdxlTinyFixture(path));
    const vaeFiles = { 'vae/config.json': file('vae/config.json'), 'vae/diffusion_pytorch_model.safetensors': file('vae/diffusion_pytorch_model.safetensors') };
    const hub = await startLocalHub({
      repos: [
        { type: 'model', id: 'org/pipe', files: { 'model_index.json': file('model_index.json'), 'unet/config.json': file('unet/config.json'), 'unet/diffusion_pytorch_model.safetensors': file('unet/diffusion_pytorch_model.safetensors'), ...vaeFiles } },
        { type: 'model', id: 'org/vae', files: { 'config.json': vaeFiles['vae/config.json'], 'diffusion_pytorch_model.safetensors': vaeFiles['vae/diffusion_pytorch_model.safetensors'] } },
      ],
    });
    const work = await mkdtemp(join(tmpdir(), 'sdxl-vae-hub-'));
    const saved = { endpoint: process.env.HF_ENDPOINT, tokenPath: process.env.HF_TOKEN_PATH };
    process.env.HF_ENDPOINT = hub.url;
    process.env.HF_TOKEN_PATH = join(work, 'no-token');
    try {
      const cacheDir = join(work, 'cache');
      const fromPipeline: Probe = {};
      await toyTrainer({ seed: 5, plugins: [sdxlVae({ cacheDir }), probePlugin(fromPipeline, undefined, 'org/pipe')] }).run();
      const fetched = hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/org/pipe/resolve/')).map((r) => r.path.replace(/^\/org\/pipe\/resolve\/[0-9a-f]+\//, ''));
      expect(fetched.sort()).toEqual(['vae/config.json', 'vae/diffusion_pytorch_model.safetensors']);
      expect(JSON.parse(fromPipeline.id!.replace(/^sdxl-vae:/, ''))).toMatchObject({ path: 'org/pipe', subfolder: 'vae', commit: hub.branchHead('model', 'org/pipe') });

      const swapped: Probe = {};
      await toyTrainer({ seed: 5, plugins: [sdxlVae({ cacheDir }), probePlugin(swapped, { path: 'org/vae', subfolder: undefined }, 'org/pipe')] }).run();
      expect(JSON.parse(swapped.id!.replace(/^sdxl-vae:/, ''))).toMatchObject({ path: 'org/vae', subfolder: null, commit: hub.branchHead('model', 'org/vae') });
      expect(maxAbsDiff(swapped.latent!, fromPipeline.latent!)).toBeLessThanOrEqual(1e-6);
    } finally {
      if (saved.endpoint === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved.endpoint;
      if (saved.tokenPath === undefined) delete process.env.HF_TOKEN_PATH;
      else process.env.HF_TOKEN_PATH = saved.tokenPath;
      await hub.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
