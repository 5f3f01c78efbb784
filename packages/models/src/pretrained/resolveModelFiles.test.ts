import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdxlTinyFixture, sdxlTinyRepoFiles, startLocalHub } from '@sdxl-trainer/testing';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { CLIPTextModel } from '../clip/CLIPTextModel.js';
import { resolveModelFiles } from './resolveModelFiles.js';

let root: string;
beforeAll(async () => {
  await setTestBackend();
  root = await mkdtemp(join(tmpdir(), 'models-resolve-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const file of ['config.json', ...files]) await writeFile(join(dir, file), '{}');
  return dir;
}

async function code(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (caught) {
    expect(isSdxlError(caught), String(caught)).toBe(true);
    return caught as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('resolveModelFiles', () => {
  it('finds the transformers and diffusers single files, preferring them over an index', async () => {
    const dir = await folder('single', ['model.safetensors', 'model.safetensors.index.json']);
    expect(await resolveModelFiles(dir, {}, 'transformers')).toEqual({ folder: dir, configPath: join(dir, 'config.json'), weightsPath: join(dir, 'model.safetensors') });
    const unet = await folder('pipe/unet', ['diffusion_pytorch_model.safetensors']);
    expect((await resolveModelFiles(join(root, 'pipe'), { subfolder: 'unet' }, 'diffusers')).weightsPath).toBe(join(unet, 'diffusion_pytorch_model.safetensors'));
  });

  it('finds variants and sharded indexes with the libraries’ variant naming', async () => {
    const dir = await folder('variants', ['model.safetensors', 'model.fp16.safetensors', 'diffusion_pytorch_model.safetensors.index.fp16.json']);
    expect((await resolveModelFiles(dir, { variant: 'fp16' }, 'transformers')).weightsPath).toBe(join(dir, 'model.fp16.safetensors'));
    expect((await resolveModelFiles(dir, { variant: 'fp16' }, 'diffusers')).weightsPath).toBe(join(dir, 'diffusion_pytorch_model.safetensors.index.fp16.json'));
    const missing = await code(resolveModelFiles(dir, { variant: 'bf16' }, 'transformers'));
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toContain('model.bf16.safetensors');
  });

  it('says clearly that .bin-only weights are not read', async () => {
    const dir = await folder('pickle', ['pytorch_model.bin']);
    const e = await code(resolveModelFiles(dir, {}, 'transformers'));
    expect(e.code).toBe('MODEL_WEIGHTS_FORMAT_UNSUPPORTED');
    expect(e.message).toContain('pytorch_model.bin');
    expect(e.message).toContain('safetensors');
    const sharded = await folder('pickle-shards', ['diffusion_pytorch_model.bin.index.json']);
    expect((await code(resolveModelFiles(sharded, {}, 'diffusers'))).code).toBe('MODEL_WEIGHTS_FORMAT_UNSUPPORTED');
  });

  it('resolves a Hub id into the Hugging Face cache (only the subfolder is fetched), then loads from it offline', async () => {
    const hub = await startLocalHub({ repos: [{ type: 'model', id: 'tiny-org/sdxl-tiny', files: sdxlTinyRepoFiles() }] });
    const cacheDir = join(root, 'hf-cache');
    try {
      const model = await CLIPTextModel.fromPretrained('tiny-org/sdxl-tiny', { subfolder: 'text_encoder', cacheDir, endpoint: hub.url });
      const local = await CLIPTextModel.fromPretrained(sdxlTinyFixture(), { subfolder: 'text_encoder' });
      const a = await model.stateDict();
      const b = await local.stateDict();
      for (const [name, tensor] of b) expect(Array.from(a.get(name)!.data), name).toEqual(Array.from(tensor.data));
      const fetched = hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/')).map((r) => r.path);
      expect(fetched.every((p) => p.includes('/text_encoder/') || p.endsWith('model_index.json')), fetched.join(', ')).toBe(true);
      model.dispose();
      local.dispose();
    } finally {
      await hub.close();
    }
    const missing = await code(resolveModelFiles('tiny-org/no-such-repo', { subfolder: 'unet', cacheDir, offline: true }, 'diffusers'));
    expect(missing.message).toContain('tiny-org/no-such-repo');
  });

  it('names missing folders and files', async () => {
    expect((await code(resolveModelFiles(join(root, 'nope'), {}, 'transformers'))).code).toBe('FILE_NOT_FOUND');
    const dir = await folder('empty', []);
    expect((await code(resolveModelFiles(dir, { subfolder: 'text_encoder' }, 'transformers'))).message).toContain('text_encoder');
    expect((await code(resolveModelFiles(dir, {}, 'transformers'))).message).toContain('no weights');
    await rm(join(dir, 'config.json'));
    expect((await code(resolveModelFiles(dir, {}, 'transformers'))).message).toContain('config.json');
  });
});
