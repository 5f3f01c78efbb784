import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { sdxlModelSources } from '@sdxl-trainer/sdxl';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { loadSdxlTextEmbedder } from './loadSdxlTextEmbedder.js';
import type { SdxlTextEmbedder } from './SdxlTextEmbedder.js';

// reference/README.md (b): encode_prompt of train_text_to_image_sdxl.py v0.27.2, run unmodified on the 4 prompts.
const TOLERANCE = 1e-4;
const root = sdxlTinyFixture();
const prompts = JSON.parse(await readFile(sdxlTinyFixture('reference', 'prompts.json'), 'utf8')) as string[];
const reference = await readF32Safetensors(sdxlTinyFixture('reference', 'text_encoders.safetensors'));
const temps: string[] = [];

/** The float32 tensors of a .safetensors file (8-byte little-endian header length, JSON header, raw data). */
async function readF32Safetensors(path: string): Promise<Record<string, { data: Float32Array; shape: number[] }>> {
  const bytes = await readFile(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    expect(entry.dtype).toBe('F32');
    const [start, end] = entry.data_offsets;
    const raw = bytes.subarray(8 + headerLength + start, 8 + headerLength + end);
    out[name] = { data: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)), shape: entry.shape };
  }
  return out;
}

function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i]! - expected[i]!));
  return max;
}

async function fixtureCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sdxl-text-encoding-'));
  temps.push(dir);
  await cp(root, dir, { recursive: true, filter: (src) => !src.includes(`${join(root, 'reference')}`) && !src.includes(join(root, 'unet')) && !src.includes(join(root, 'vae')) });
  return dir;
}

let embedder: SdxlTextEmbedder;

beforeAll(async () => {
  await setTestBackend();
  embedder = await loadSdxlTextEmbedder(sdxlModelSources(root), { batchSize: 3 });
});

afterAll(async () => {
  embedder.dispose();
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('SdxlTextEmbedder against encode_prompt of the SDXL script (sdxl-tiny fixture)', () => {
  it(`reproduces prompt_embeds and pooled_prompt_embeds of the 4 reference prompts within ${TOLERANCE}`, async () => {
    expect(prompts).toHaveLength(4);
    const out = await embedder.encode(prompts); // batchSize 3: one forward pass of 3 prompts, one of 1
    const [, tokens, width] = reference['prompt_embeds']!.shape;
    const pooledWidth = reference['pooled_prompt_embeds']!.shape[1]!;
    let worstEmbeds = 0;
    let worstPooled = 0;
    prompts.forEach((_, i) => {
      expect(out.promptEmbeds[i]!.shape).toEqual([tokens, width]);
      expect(out.pooled[i]!.shape).toEqual([pooledWidth]);
      const rowSize = tokens! * width!;
      worstEmbeds = Math.max(worstEmbeds, maxAbsDifference(out.promptEmbeds[i]!.data, reference['prompt_embeds']!.data.subarray(i * rowSize, (i + 1) * rowSize)));
      worstPooled = Math.max(worstPooled, maxAbsDifference(out.pooled[i]!.data, reference['pooled_prompt_embeds']!.data.subarray(i * pooledWidth, (i + 1) * pooledWidth)));
    });
    // Measured on the cpu backend: see the README's parity table.
    console.info(`sdxl-text-encoding parity: prompt_embeds max |Δ| ${worstEmbeds.toExponential(2)}, pooled max |Δ| ${worstPooled.toExponential(2)}`);
    expect(worstEmbeds).toBeLessThanOrEqual(TOLERANCE);
    expect(worstPooled).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives each prompt the same embedding whatever batch it is encoded in', async () => {
    const batched = await embedder.encode(prompts);
    for (let i = 0; i < prompts.length; i++) {
      const alone = await embedder.encode([prompts[i]!]);
      expect(maxAbsDifference(alone.promptEmbeds[0]!.data, batched.promptEmbeds[i]!.data)).toBeLessThan(1e-6);
      expect(maxAbsDifference(alone.pooled[0]!.data, batched.pooled[i]!.data)).toBeLessThan(1e-6);
    }
  });

  it('leaves no tensors behind', async () => {
    await embedder.encode(prompts.slice(0, 2));
    const before = tf.memory().numTensors;
    await embedder.encode(prompts);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the embedder id (the text cache key)', () => {
  it('names every component and its contents, and is the same for the same folders', async () => {
    const id = JSON.parse(embedder.id) as Record<string, { folder: string; subfolder: string; files: Record<string, string> }>;
    expect(Object.keys(id).sort()).toEqual(['recipe', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2']);
    expect(id['text_encoder']!.subfolder).toBe('text_encoder');
    expect(Object.keys(id['text_encoder_2']!.files)).toEqual(['config.json', 'model.safetensors']);
    expect(Object.keys(id['tokenizer']!.files)).toContain('vocab.json');
    const again = await loadSdxlTextEmbedder(sdxlModelSources(root));
    expect(again.id).toBe(embedder.id);
    again.dispose();
  });

  it('changes when a tokenizer file changes', async () => {
    const copy = await fixtureCopy();
    const before = await loadSdxlTextEmbedder(sdxlModelSources(copy));
    const configPath = join(copy, 'tokenizer_2', 'tokenizer_config.json');
    await writeFile(configPath, `${await readFile(configPath, 'utf8')}\n`);
    const after = await loadSdxlTextEmbedder(sdxlModelSources(copy));
    expect(after.id).not.toBe(before.id);
    before.dispose();
    after.dispose();
  });
});

describe('loading errors and freeing', () => {
  it('needs all four sources from the resolveModelFiles hook', async () => {
    const { tokenizer_2: _dropped, text_encoder_2: _alsoDropped, ...partial } = sdxlModelSources(root);
    await expect(loadSdxlTextEmbedder(partial)).rejects.toMatchObject({
      code: ErrorCode.PLUGIN_MISSING_DEPENDENCY,
      message: expect.stringMatching(/"tokenizer_2", "text_encoder_2"/),
    });
  });

  it('refuses a text_encoder_2 without a projection', async () => {
    const sources = { ...sdxlModelSources(root), text_encoder_2: { path: root, subfolder: 'text_encoder' } };
    await expect(loadSdxlTextEmbedder(sources)).rejects.toMatchObject({ code: ErrorCode.MODEL_CONFIG_UNSUPPORTED, message: expect.stringMatching(/CLIPTextModelWithProjection/) });
  });

  it('frees the encoder weights on dispose and then refuses to encode', async () => {
    const before = tf.memory().numTensors;
    const own = await loadSdxlTextEmbedder(sdxlModelSources(root));
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    own.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(own.disposed).toBe(true);
    await expect(own.encode(['a red circle'])).rejects.toMatchObject({ code: ErrorCode.MODEL_NOT_MATERIALIZED });
  });
});
