import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrayDataset, Stage, Trainer, type TrainerPlugin } from '@sdxl-trainer/core';
import { AutoencoderKL } from '@sdxl-trainer/models';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { sdxlModelSources } from '@sdxl-trainer/sdxl';
import { sdxlTinyFixture, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sdxlUnet, { NAME } from './index.js';
import { readTrainStepReference, referenceSamples, type TrainStepReference } from './testing/trainStepFixture.js';

let ref: TrainStepReference;
let work: string;
beforeAll(async () => {
  ref = await readTrainStepReference();
  work = await mkdtemp(join(tmpdir(), 'sdxl-unet-hub-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Provides the reference samples and stops the run before its first step (everything but training runs). */
function dataThenStop(ref: TrainStepReference): TrainerPlugin {
  const name = 'test:data-then-stop';
  return {
    name,
    apply(trainer) {
      trainer.hooks.prepareDataset.tap(name, () => new ArrayDataset(referenceSamples(ref)));
      trainer.hooks.beforeTrain.tap(name, () => trainer.requestStop('the test only checks loading and saving'));
    },
  };
}

/** Every file of the fixture pipeline (not its PyTorch references), as repo path → bytes. */
function fixtureRepoFiles(): Record<string, Uint8Array> {
  const root = sdxlTinyFixture();
  const files: Record<string, Uint8Array> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name).slice(root.length + 1);
    if (entry.isFile() && !path.startsWith('reference') && path !== 'README.md') files[path] = readFileSync(join(root, path));
  }
  return files;
}

describe('sdxl-unet options', () => {
  it('refuses bad options naming the option, its flag and what was expected', () => {
    expect(() => sdxlUnet({ pretrainedModel: '' })).toThrow(/pretrainedModel \(--pretrained_model_name_or_path\)/);
    expect(() => sdxlUnet({ pretrainedModel: 'a/b', predictionType: 'noise' as 'epsilon' })).toThrow(/--prediction_type.*"epsilon", "v_prediction" or "sample"/);
    expect(() => sdxlUnet({ pretrainedModel: 'a/b', attentionChunkSize: 0 })).toThrow(/--enable_xformers_memory_efficient_attention/);
    expect(() => sdxlUnet({ pretrainedModel: 'a/b', gradientCheckpoint: true } as never)).toThrow(/unknown option "gradientCheckpoint"; did you mean "gradientCheckpointing"/);
  });

  it('refuses a prediction type that contradicts the run config', () => {
    const trainer = new Trainer({ backend: 'cpu', predictionType: 'epsilon', plugins: [sdxlUnet({ pretrainedModel: 'a/b', predictionType: 'v_prediction' })] });
    expect(() => trainer.prepare()).toThrow(/predictionType \(--prediction_type\): got "v_prediction", but the run config says "epsilon"/);
  });

  it('provides every SDXL component from the pretrained model, keeping sources other plugins gave', async () => {
    let seen: unknown;
    const trainer = new Trainer({
      backend: 'cpu',
      outputDir: join(work, 'sources'),
      plugins: [
        sdxlUnet({ pretrainedModel: sdxlTinyFixture(), revision: 'main' }),
        {
          name: 'test:sources',
          apply(t) {
            t.hooks.resolveModelFiles.tap({ name: 'test:sources', stage: Stage.PRE }, (sources) => ({ ...sources, controlnet: { path: 'x/y' } }));
            t.hooks.loadModels.tap('test:sources', () => void (seen = t.modelSources));
          },
        },
        dataThenStop(ref),
      ],
    });
    await trainer.run();
    expect(seen).toEqual({ controlnet: { path: 'x/y' }, ...sdxlModelSources(sdxlTinyFixture(), { revision: 'main' }) });
  });
});

describe('sdxl-unet with a Hub id (a local Hub serving the fixture pipeline)', () => {
  let hub: LocalHub;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    hub = await startLocalHub({ repos: [{ type: 'model', id: 'org/sdxl-tiny', files: fixtureRepoFiles() }] });
    for (const key of ['HF_ENDPOINT', 'HF_TOKEN', 'HF_TOKEN_PATH', 'HF_HUB_OFFLINE', 'HF_HUB_CACHE']) saved[key] = process.env[key];
    process.env.HF_ENDPOINT = hub.url;
    process.env.HF_TOKEN_PATH = join(work, 'no-token');
    delete process.env.HF_TOKEN;
    delete process.env.HF_HUB_OFFLINE;
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await hub.close();
  });

  it('downloads into --cache_dir, loads the UNet and schedule from the snapshot and saves the pipeline from it', async () => {
    const cacheDir = join(work, 'hf-cache');
    const outputDir = join(work, 'from-hub');
    const logs: string[] = [];
    const trainer = new Trainer({ backend: 'cpu', trainBatchSize: 2, outputDir, plugins: [sdxlUnet({ pretrainedModel: 'org/sdxl-tiny', cacheDir }), dataThenStop(ref)] });
    trainer.events$.subscribe((event) => {
      if (event.type === 'log') logs.push(event.message);
    });
    const summary = await trainer.run();
    expect(summary.status).toBe('stopped');
    expect(logs.some((line) => /^org\/sdxl-tiny@main: commit [0-9a-f]{40}, \d+ files downloaded/.test(line))).toBe(true);
    expect(readdirSync(cacheDir)).toEqual(['models--org--sdxl-tiny']);
    expect(hub.requests.some((r) => r.path.includes('/resolve/') && r.path.includes('unet/diffusion_pytorch_model.safetensors'))).toBe(true);

    // no step ran: the saved UNet holds the source weights, and every other file is the fixture's
    const savedUnet = await loadSafetensors(join(outputDir, 'unet', 'diffusion_pytorch_model.safetensors'));
    const source = await loadSafetensors(sdxlTinyFixture('unet', 'diffusion_pytorch_model.safetensors'));
    for (const [name, { data }] of Object.entries(source)) expect((savedUnet[name]!.data as Float32Array).every((v, i) => v === data[i]), name).toBe(true);
    for (const file of ['model_index.json', 'vae/diffusion_pytorch_model.safetensors', 'text_encoder_2/model.safetensors', 'tokenizer/vocab.json', 'scheduler/scheduler_config.json']) {
      expect(Buffer.compare(await readFile(join(outputDir, file)), await readFile(sdxlTinyFixture(file))), file).toBe(0);
    }
  });
});

describe('sdxl-unet sources', () => {
  it('saves a redirected VAE (what vae-swap sets) under vae/', async () => {
    const swapped = join(work, 'swapped-vae');
    const vae = await AutoencoderKL.fromPretrained(sdxlTinyFixture(), { subfolder: 'vae' });
    await vae.savePretrained(swapped, { maxShardBytes: 1_000_000 });
    vae.dispose();
    const outputDir = join(work, 'swapped-out');
    const trainer = new Trainer({
      backend: 'cpu',
      trainBatchSize: 2,
      outputDir,
      plugins: [
        sdxlUnet({ pretrainedModel: sdxlTinyFixture() }),
        {
          name: 'test:swap-vae',
          apply(t) {
            t.hooks.resolveModelFiles.tap('test:swap-vae', (sources) => ({ ...sources, vae: { path: swapped, subfolder: undefined } }));
          },
        },
        dataThenStop(ref),
      ],
    });
    await trainer.run();
    const files = readdirSync(swapped).sort();
    expect(readdirSync(join(outputDir, 'vae')).sort()).toEqual(files);
    for (const file of files) expect(Buffer.compare(await readFile(join(outputDir, 'vae', file)), await readFile(join(swapped, file))), file).toBe(0);
  });

  it('names the component the sources lack', async () => {
    const trainer = new Trainer({
      backend: 'cpu',
      outputDir: join(work, 'missing'),
      plugins: [
        sdxlUnet({ pretrainedModel: sdxlTinyFixture() }),
        {
          name: 'test:drop-unet',
          apply(t) {
            t.hooks.resolveModelFiles.tap('test:drop-unet', ({ unet: _dropped, ...rest }) => rest);
          },
        },
      ],
    });
    await expect(trainer.run()).rejects.toMatchObject({ code: 'MODEL_SOURCE_MISSING', message: expect.stringMatching(new RegExp(`${NAME}: no source for the "unet" component`)) });
  });
});
