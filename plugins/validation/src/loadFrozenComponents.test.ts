import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { AutoencoderKL } from '@sdxl-trainer/models';
import { sdxlModelSources } from '@sdxl-trainer/sdxl';
import { initBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeFrozenComponents, FROZEN_COMPONENTS, frozenParameterBytes, loadFrozenComponents } from './loadFrozenComponents.js';
import { testBackend } from './testing/fixtureRun.js';

const PLUGIN = 'test-plugin';
let work: string;
beforeAll(async () => {
  await initBackend({ backend: testBackend() });
  work = await mkdtemp(join(tmpdir(), 'validation-frozen-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Elements of every tensor in a .safetensors file, from its header (u64 little-endian length, then JSON). */
function safetensorsElements(path: string): number {
  const bytes = readFileSync(path);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + Number(bytes.readBigUInt64LE(0)))) as Record<string, { shape: number[] }>;
  return Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .reduce((sum, [, { shape }]) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (message) => void warnings.push(message) };
}

/** A pipeline folder whose components link to the fixture's, with some files replaced. */
async function fixtureMirror(name: string, files: Record<string, string>): Promise<string> {
  const root = join(work, name);
  await mkdir(root, { recursive: true });
  const replaced = new Set(Object.keys(files).map((path) => path.split('/')[0]!));
  for (const entry of ['model_index.json', ...FROZEN_COMPONENTS, 'unet']) {
    if (!replaced.has(entry)) await symlink(sdxlTinyFixture(entry), join(root, entry));
  }
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('loadFrozenComponents', () => {
  it("loads the fixture's text encoders, tokenizers, VAE and Euler scheduler, and frees every weight on dispose", async () => {
    const before = tf.memory().numTensors;
    const components = await loadFrozenComponents(sdxlModelSources(sdxlTinyFixture()), { plugin: PLUGIN });
    expect(components.folders).toEqual(Object.fromEntries(FROZEN_COMPONENTS.map((name) => [name, sdxlTinyFixture(name)])));
    expect(components.scheduler.predictionType).toBe('epsilon');
    expect(components.scheduler.config.timestep_spacing).toBe('leading'); // the fixture's scheduler_config.json, not Euler's default
    expect(components.forceZerosForEmptyPrompt).toBe(true);
    // float32 bytes of every tensor the three weight files hold (read off their safetensors headers), all frozen
    const files = ['text_encoder/model.safetensors', 'text_encoder_2/model.safetensors', 'vae/diffusion_pytorch_model.safetensors'];
    expect(frozenParameterBytes(components)).toBe(files.reduce((sum, file) => sum + safetensorsElements(sdxlTinyFixture(file)), 0) * 4);
    expect([components.textEncoder, components.textEncoder2, components.vae].every((m) => m.namedParameters().every(([, p]) => !p.trainable))).toBe(true);
    disposeFrozenComponents(components);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('overrides prediction_type as the script does for --prediction_type', async () => {
    const components = await loadFrozenComponents(sdxlModelSources(sdxlTinyFixture()), { plugin: PLUGIN, predictionType: 'v_prediction' });
    expect(components.scheduler.predictionType).toBe('v_prediction');
    disposeFrozenComponents(components);
  });

  it('loads the VAE from where the sources say (a swapped VAE repo, no subfolder)', async () => {
    const swapped = join(work, 'swapped-vae');
    const original = await AutoencoderKL.fromPretrained(sdxlTinyFixture(), { subfolder: 'vae' });
    const bias = original.namedParameters().find(([name]) => name === 'decoder.conv_out.bias')![1];
    bias.value.assign(tf.add(bias.value, 1));
    const expected = bias.value.dataSync().slice();
    await original.savePretrained(swapped);
    original.dispose();

    const components = await loadFrozenComponents({ ...sdxlModelSources(sdxlTinyFixture()), vae: { path: swapped } }, { plugin: PLUGIN });
    expect(components.folders.vae).toBe(swapped);
    const loaded = components.vae.namedParameters().find(([name]) => name === 'decoder.conv_out.bias')![1];
    expect(loaded.value.dataSync()).toEqual(expected);
    disposeFrozenComponents(components);
  });

  it("reads force_zeros_for_empty_prompt from the pipeline's model_index.json, and warns when the scheduler is not Euler", async () => {
    const modelIndex = { ...JSON.parse(await readFile(sdxlTinyFixture('model_index.json'), 'utf8')), force_zeros_for_empty_prompt: false };
    const scheduler = { ...JSON.parse(await readFile(sdxlTinyFixture('scheduler', 'scheduler_config.json'), 'utf8')), _class_name: 'DDPMScheduler' };
    const root = await fixtureMirror('mirror', { 'model_index.json': JSON.stringify(modelIndex), 'scheduler/scheduler_config.json': JSON.stringify(scheduler) });
    const logger = recordingLogger();
    const components = await loadFrozenComponents(sdxlModelSources(root), { plugin: PLUGIN, logger });
    expect(components.forceZerosForEmptyPrompt).toBe(false);
    expect(logger.warnings).toEqual([
      `${PLUGIN}: the scheduler config at ${join(root, 'scheduler')} names DDPMScheduler; validation samples with EulerDiscreteScheduler from that config (the only sampler the pipeline has)`,
    ]);
    disposeFrozenComponents(components);
  });

  it('falls back to the plain weights, with a warning, when a component lacks the requested variant', async () => {
    const logger = recordingLogger();
    const components = await loadFrozenComponents(sdxlModelSources(sdxlTinyFixture(), { variant: 'fp16' }), { plugin: PLUGIN, logger });
    expect(logger.warnings).toEqual(['text_encoder', 'text_encoder_2', 'vae'].map((name) => `${sdxlTinyFixture(name)} has no "fp16" weights; validation loads its plain weights`));
    disposeFrozenComponents(components);
  });

  it('names every missing source', async () => {
    const { vae: _vae, scheduler: _scheduler, ...rest } = sdxlModelSources(sdxlTinyFixture());
    await expect(loadFrozenComponents(rest, { plugin: PLUGIN })).rejects.toThrow(
      expect.objectContaining({ code: ErrorCode.MODEL_SOURCE_MISSING, message: expect.stringContaining(`${PLUGIN}: no source for "vae", "scheduler" in the resolveModelFiles waterfall`) }),
    );
  });
});

describe('loadFrozenComponents with a Hub id (a local Hub serving the fixture pipeline)', () => {
  let hub: LocalHub;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    const root = sdxlTinyFixture();
    const files: Record<string, Uint8Array> = {};
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name).slice(root.length + 1);
      if (entry.isFile() && !path.startsWith('reference') && path !== 'README.md') files[path] = readFileSync(join(root, path));
    }
    hub = await startLocalHub({ repos: [{ type: 'model', id: 'org/sdxl-tiny', files }] });
    for (const key of ['HF_ENDPOINT', 'HF_TOKEN', 'HF_TOKEN_PATH', 'HF_HUB_OFFLINE']) saved[key] = process.env[key];
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

  it('fetches the frozen components into --cache_dir, never the UNet weights', async () => {
    const cacheDir = join(work, 'hf-cache');
    const components = await loadFrozenComponents(sdxlModelSources('org/sdxl-tiny'), { plugin: PLUGIN, cacheDir });
    expect(components.folders.vae).toMatch(new RegExp(`^${cacheDir}/models--org--sdxl-tiny/snapshots/[0-9a-f]{40}/vae$`));
    const fetched = hub.requests.filter((r) => r.path.includes('/resolve/')).map((r) => r.path);
    expect(fetched.some((path) => path.includes('vae/diffusion_pytorch_model.safetensors'))).toBe(true);
    expect(fetched.some((path) => path.includes('text_encoder_2/model.safetensors'))).toBe(true);
    expect(fetched.filter((path) => path.includes('unet/'))).toEqual([]);
    disposeFrozenComponents(components);
  });
});
