import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { AutoencoderKL } from '@sdxl-trainer/models';
import { StableDiffusionXLPipeline } from '@sdxl-trainer/pipeline';
import { initBackend } from '@sdxl-trainer/tensor';
import { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinySdxlPipeline } from './makeTinySdxlPipeline.js';
import { makeTinyShapesDataset } from './makeTinyShapesDataset.js';
import { allCaptions } from './shapes.js';

const fixture = fileURLToPath(new URL('../../../../shared/fixtures/sdxl-tiny', import.meta.url));
const RESOLUTION = 32;
let root: string;
let pipelineDir: string;

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
function fixtureJson(path: string): Record<string, unknown> {
  const file = join(fixture, path);
  if (!existsSync(file)) throw new Error(`the shared SDXL fixture is missing: ${file} (expected ../shared/fixtures/sdxl-tiny beside the repository)`);
  return json(file);
}

beforeAll(async () => {
  // why wasm, one thread: the backend the example trains on; the VAE calibration takes ~10× longer on the cpu backend.
  await initBackend({ backend: 'wasm', threads: 1 });
  root = await mkdtemp(join(tmpdir(), 'tiny-shapes-pipeline-'));
  pipelineDir = join(root, 'pipeline');
  await makeTinySdxlPipeline(pipelineDir, { seed: 0, resolution: RESOLUTION });
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('makeTinySdxlPipeline', () => {
  it('writes a folder StableDiffusionXLPipeline loads and generates from, at the resolution asked for', async () => {
    const pipe = await StableDiffusionXLPipeline.fromPretrained(pipelineDir);
    try {
      const before = tf.memory().numTensors;
      const output = await pipe.call({ prompt: 'a red circle on a white background', numInferenceSteps: 3, seed: 0, numImagesPerPrompt: 2 });
      expect(output.images.shape).toEqual([2, RESOLUTION, RESOLUTION, 3]);
      expect([output.width, output.height]).toEqual([RESOLUTION, RESOLUTION]);
      // two seeds, two different pictures: the weights are not degenerate
      const size = RESOLUTION * RESOLUTION * 3;
      expect(Buffer.compare(Buffer.from(output.images.data.subarray(0, size)), Buffer.from(output.images.data.subarray(size)))).not.toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      pipe.dispose();
    }
  });

  it("has SDXL base's scheduler, model index and tokenizer settings (the fixture's copies of them)", () => {
    expect(json(join(pipelineDir, 'model_index.json'))).toEqual(fixtureJson('model_index.json'));
    expect(json(join(pipelineDir, 'scheduler/scheduler_config.json'))).toEqual(fixtureJson('scheduler/scheduler_config.json'));
    for (const tokenizer of ['tokenizer', 'tokenizer_2']) {
      expect(json(join(pipelineDir, tokenizer, 'special_tokens_map.json'))).toEqual(fixtureJson(`${tokenizer}/special_tokens_map.json`));
      // why: the added tokens' ids differ (a tiny vocabulary); everything else is the same
      const ours = json(join(pipelineDir, tokenizer, 'tokenizer_config.json'));
      const theirs = fixtureJson(`${tokenizer}/tokenizer_config.json`);
      expect({ ...ours, added_tokens_decoder: Object.values(ours['added_tokens_decoder'] as object) }).toEqual({
        ...theirs,
        added_tokens_decoder: Object.values(theirs['added_tokens_decoder'] as object),
      });
    }
  });

  it("wires the UNet to the text encoders as SDXL does, with SDXL's block types", () => {
    const te1 = json(join(pipelineDir, 'text_encoder/config.json'));
    const te2 = json(join(pipelineDir, 'text_encoder_2/config.json'));
    const unet = json(join(pipelineDir, 'unet/config.json'));
    expect(te1['architectures']).toEqual(['CLIPTextModel']);
    expect(te2['architectures']).toEqual(['CLIPTextModelWithProjection']);
    // diffusers: encoder_hidden_states = concat(te1 penultimate, te2 penultimate); add_embedding reads 6 time ids + pooled text
    expect(unet['cross_attention_dim']).toBe((te1['hidden_size'] as number) + (te2['hidden_size'] as number));
    expect(unet['projection_class_embeddings_input_dim']).toBe(6 * (unet['addition_time_embed_dim'] as number) + (te2['projection_dim'] as number));
    expect(unet['addition_embed_type']).toBe('text_time');
    // stabilityai/stable-diffusion-xl-base-1.0 unet/config.json
    expect(unet['down_block_types']).toEqual(['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D']);
    expect(unet['up_block_types']).toEqual(['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D']);
    expect(unet['mid_block_type']).toBe('UNetMidBlock2DCrossAttn');
    expect(unet['sample_size']).toBe(RESOLUTION / 8);
    expect(json(join(pipelineDir, 'vae/config.json'))['block_out_channels']).toHaveLength(4);
  });

  it('tokenizes every caption word as one token of a vocabulary the text encoders cover, padding as SDXL does', async () => {
    const tokenizer = await CLIPTokenizer.fromPretrained(pipelineDir, { subfolder: 'tokenizer' });
    const tokenizer2 = await CLIPTokenizer.fromPretrained(pipelineDir, { subfolder: 'tokenizer_2' });
    const words = new Set(allCaptions().flatMap((caption) => caption.split(' ')));
    for (const word of words) expect(tokenizer.tokenize(word), word).toEqual([`${word}</w>`]);
    for (const [t, config] of [
      [tokenizer, 'text_encoder'],
      [tokenizer2, 'text_encoder_2'],
    ] as const) {
      expect(t.vocabSize).toBe(json(join(pipelineDir, config, 'config.json'))['vocab_size']);
      const ids = [...t.encode('a red circle').inputIds];
      expect(ids.slice(0, 5)).toEqual([t.bosTokenId, t.tokenToId('a</w>'), t.tokenToId('red</w>'), t.tokenToId('circle</w>'), t.eosTokenId]);
      expect(t.decode(ids, { skipSpecialTokens: true })).toBe('a red circle');
    }
    expect(tokenizer.padTokenId).toBe(tokenizer.eosTokenId);
    expect(tokenizer2.padTokenId).toBe(0);
    expect(tokenizer2.idToToken(0)).toBe('!');
  });

  it('has a VAE whose scaled latents of the shapes have about unit variance and almost no sampling noise', async () => {
    const data = join(root, 'data');
    await makeTinyShapesDataset(data, { count: 20, size: RESOLUTION, seed: 7 });
    const images = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { data: bytes } = await sharp(join(data, `${String(i).padStart(3, '0')}.png`)).raw().toBuffer({ resolveWithObject: true });
        return Float32Array.from(bytes, (v) => v / 127.5 - 1);
      }),
    );
    const vae = await AutoencoderKL.fromPretrained(pipelineDir, { subfolder: 'vae' });
    try {
      const [meanStd, noiseStd] = tf.tidy(() => {
        const posterior = vae.encode(tf.tensor4d(Float32Array.from(images.flatMap((a) => [...a])), [20, RESOLUTION, RESOLUTION, 3]));
        return [Math.sqrt(tf.moments(posterior.mean).variance.dataSync()[0]!), tf.max(posterior.std).dataSync()[0]!];
      });
      // why a band: the factor was fitted on other pictures (one per caption, seed 0), as SD's was on its first batch
      expect(meanStd * vae.scalingFactor).toBeGreaterThan(0.7);
      expect(meanStd * vae.scalingFactor).toBeLessThan(1.4);
      expect(noiseStd).toBeLessThan(0.01);
    } finally {
      vae.dispose();
    }
  });

  it('is idempotent: a second call with the same options writes nothing', async () => {
    const weights = join(pipelineDir, 'unet/diffusion_pytorch_model.safetensors');
    const before = statSync(weights).mtimeMs;
    expect(await makeTinySdxlPipeline(pipelineDir, { seed: 0, resolution: RESOLUTION })).toEqual({ dir: pipelineDir, created: false });
    expect(statSync(weights).mtimeMs).toBe(before);
  });

  it('gives the same weights for the same seed, on a fresh folder', async () => {
    const again = join(root, 'again');
    await makeTinySdxlPipeline(again, { seed: 0, resolution: RESOLUTION });
    for (const file of ['unet/diffusion_pytorch_model.safetensors', 'vae/diffusion_pytorch_model.safetensors', 'text_encoder_2/model.safetensors', 'tokenizer/merges.txt']) {
      expect(readFileSync(join(again, file)).equals(readFileSync(join(pipelineDir, file))), file).toBe(true);
    }
  });
});
