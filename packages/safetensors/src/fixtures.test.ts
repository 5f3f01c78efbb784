import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSafetensors } from './loadSafetensors.js';
import { SafetensorsReader } from './SafetensorsReader.js';
import { writeSafetensors } from './writeSafetensors.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

// Files written by Python (a pure-Python safetensors writer; see reference/README.md §0).
const root = sdxlTinyFixture();
const reference = join(root, 'reference');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'safetensors-fixtures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fixture files written by Python', () => {
  it('parses every reference header with the documented shapes and dtypes', async () => {
    const files = (await readdir(reference)).filter((name) => name.endsWith('.safetensors'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const name of files) {
      const reader = await SafetensorsReader.open(join(reference, name));
      expect(reader.metadata.format, name).toBe('pt');
      expect(reader.metadata.file, name).toBe(name);
      expect(reader.keys().length, name).toBeGreaterThan(0);
      await reader.close();
    }
    const ddpm = await SafetensorsReader.open(join(reference, 'ddpm.safetensors'));
    expect(ddpm.info('betas')).toMatchObject({ dtype: 'F32', shape: [1000] });
    expect(ddpm.info('x0')).toMatchObject({ dtype: 'F32', shape: [3, 4, 8, 8] });
    expect(await ddpm.readInt32('timesteps')).toEqual(Int32Array.of(0, 500, 999)); // README §e
    await ddpm.close();
    const pipeline = await SafetensorsReader.open(join(reference, 'pipeline.safetensors'));
    expect(pipeline.info('image_uint8')).toMatchObject({ dtype: 'U8', shape: [1, 64, 64, 3] });
    await pipeline.close();
  });

  it('reads the I64 token ids of README §a', async () => {
    const reader = await SafetensorsReader.open(join(reference, 'tokenizers.safetensors'));
    const ids = await reader.read('input_ids_1');
    expect(ids.dtype).toBe('I64');
    expect(ids.shape).toEqual([4, 77]);
    expect(ids.data).toBeInstanceOf(BigInt64Array);
    const ids32 = await reader.readInt32('input_ids_1');
    // Prompt 2 is "": [49406, 49407, pad 49407 ...]; prompt 0 starts with BOS and ends with EOS after 3 tokens.
    expect([...ids32.subarray(2 * 77, 2 * 77 + 3)]).toEqual([49406, 49407, 49407]);
    expect(ids32[0]).toBe(49406);
    expect(ids32[4]).toBe(49407);
    const ids2 = await reader.readInt32('input_ids_2');
    expect([...ids2.subarray(2 * 77, 2 * 77 + 3)]).toEqual([49406, 49407, 0]);
    await reader.close();
  });

  it('decodes the F16 token embedding: token + position embeddings reproduce PyTorch hidden_states[0]', async () => {
    const model = await SafetensorsReader.open(join(root, 'text_encoder', 'model.safetensors'));
    expect(model.info('text_model.embeddings.token_embedding.weight')).toMatchObject({ dtype: 'F16', shape: [49408, 32] });
    const token = await model.readFloat32('text_model.embeddings.token_embedding.weight');
    const position = await model.readFloat32('text_model.embeddings.position_embedding.weight');
    await model.close();
    const tokenizers = await SafetensorsReader.open(join(reference, 'tokenizers.safetensors'));
    const ids = await tokenizers.readInt32('input_ids_1');
    await tokenizers.close();
    const expected = (await loadSafetensors(join(reference, 'text_encoders.safetensors'))).te1_hidden_states_0!.data as Float32Array;
    let maxDiff = 0;
    for (let b = 0; b < 4; b++) {
      for (let i = 0; i < 77; i++) {
        const id = ids[b * 77 + i]!;
        for (let c = 0; c < 32; c++) {
          const sum = Math.fround(token[id * 32 + c]! + position[i * 32 + c]!);
          maxDiff = Math.max(maxDiff, Math.abs(sum - expected[(b * 77 + i) * 32 + c]!));
        }
      }
    }
    // One float32 addition, the same in PyTorch: exact.
    expect(maxDiff).toBe(0);
  });

  it('rewrites Python-written files byte for byte', async () => {
    for (const file of [join(reference, 'ddpm.safetensors'), join(reference, 'tokenizers.safetensors'), join(root, 'text_encoder', 'model.safetensors')]) {
      const reader = await SafetensorsReader.open(file);
      const metadata = { ...reader.metadata };
      await reader.close();
      const out = join(dir, 'rewrite.safetensors');
      await writeSafetensors(out, await loadSafetensors(file), metadata);
      expect((await readFile(out)).equals(await readFile(file)), file).toBe(true);
    }
  });
});
