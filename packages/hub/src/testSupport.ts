// Helpers shared by this package's tests (excluded from the build).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalHub, LocalRepoFiles } from '@sdxl-trainer/testing';

const made: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
export async function tempDir(prefix = 'sdxl-hub-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Deterministic pseudo-random bytes (xorshift32), different per seed. */
export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Requests that fetched file bytes (GET of `/resolve/` or of the LFS CDN path). */
export function bodyRequests(hub: LocalHub): string[] {
  return hub.requests.filter((r) => r.method === 'GET' && (r.path.includes('/resolve/') || r.path.startsWith('/__lfs/'))).map((r) => r.path);
}

/**
 * A small SDXL-shaped pipeline repo: model_index.json, scheduler, tokenizer, and model folders holding plain and
 * fp16 safetensors next to the pickle / Flax / ONNX copies that must never be fetched. The VAE has no fp16 file, so
 * it exercises the per-component fallback.
 */
export function pipelineFiles(unetSize = 3000): LocalRepoFiles {
  const modelIndex = {
    _class_name: 'StableDiffusionXLPipeline',
    _diffusers_version: '0.27.2',
    feature_extractor: [null, null],
    scheduler: ['diffusers', 'EulerDiscreteScheduler'],
    text_encoder: ['transformers', 'CLIPTextModel'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['diffusers', 'UNet2DConditionModel'],
    vae: ['diffusers', 'AutoencoderKL'],
  };
  return {
    '.gitattributes': '*.safetensors filter=lfs diff=lfs merge=lfs -text\n',
    'README.md': '# tiny\n',
    '01.png': bytes(200, 1),
    'sd_xl_base_1.0.safetensors': bytes(900, 2),
    'model_index.json': JSON.stringify(modelIndex, null, 2),
    'scheduler/scheduler_config.json': '{"_class_name":"EulerDiscreteScheduler","num_train_timesteps":1000}',
    'tokenizer/vocab.json': '{"a</w>":0}',
    'tokenizer/merges.txt': '#version: 0.2\n',
    'tokenizer/special_tokens_map.json': '{}',
    'tokenizer/tokenizer_config.json': '{}',
    'text_encoder/config.json': '{"hidden_size":8}',
    'text_encoder/model.safetensors': bytes(1200, 3),
    'text_encoder/model.fp16.safetensors': bytes(600, 4),
    'text_encoder/pytorch_model.bin': bytes(1200, 5),
    'text_encoder/flax_model.msgpack': bytes(1200, 6),
    'text_encoder/model.onnx': bytes(1200, 7),
    'unet/config.json': '{"sample_size":8}',
    'unet/diffusion_pytorch_model.safetensors': bytes(unetSize, 8),
    'unet/diffusion_pytorch_model.fp16.safetensors': bytes(Math.ceil(unetSize / 2), 9),
    'unet/diffusion_pytorch_model.bin': bytes(unetSize, 10),
    'unet/diffusion_flax_model.msgpack': bytes(unetSize, 11),
    'unet/openvino_model.xml': '<xml/>',
    'unet/openvino_model.bin': bytes(700, 12),
    'vae/config.json': '{"latent_channels":4}',
    'vae/diffusion_pytorch_model.safetensors': bytes(800, 13),
    'vae/diffusion_pytorch_model.bin': bytes(800, 14),
    'vae_1_0/config.json': '{"latent_channels":4}',
    'vae_1_0/diffusion_pytorch_model.safetensors': bytes(800, 13),
  };
}
