import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { SafetensorsReader, writeSafetensors, type TensorToWrite } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot } from '../testing/fixture.js';
import { AutoencoderKL } from './AutoencoderKL.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

let out: string;
beforeAll(async () => {
  await setTestBackend();
  out = await mkdtemp(join(tmpdir(), 'models-vae-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function errorOf(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (error) {
    expect(isSdxlError(error), String(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error('expected an error');
}

/** A small VAE (groups of 4, gelu resnets), for tests that need no PyTorch numbers. */
const SMALL = { block_out_channels: [8, 16], down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'], up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'], norm_num_groups: 4, layers_per_block: 1, act_fn: 'gelu', latent_channels: 3 };

const LEGACY: Readonly<Record<string, string>> = { to_q: 'query', to_k: 'key', to_v: 'value', 'to_out.0': 'proj_attn' };

describe('AutoencoderKL', () => {
  it("loads checkpoints with the pre-0.14 attention names (query/key/value/proj_attn) and saves today's names", async () => {
    const vae = await AutoencoderKL.fromPretrained(fixtureRoot(), { subfolder: 'vae' });
    const state = await vae.stateDict();
    const folder = join(out, 'legacy');
    await mkdir(folder, { recursive: true });
    await copyFile(join(fixtureRoot(), 'vae', 'config.json'), join(folder, 'config.json'));
    const rename = (name: string) => name.replace(/(mid_block\.attentions\.0)\.(to_q|to_k|to_v|to_out\.0)\./, (_, block: string, proj: string) => `${block}.${LEGACY[proj]}.`);
    const tensors: Record<string, TensorToWrite> = {};
    for (const [name, tensor] of state) tensors[rename(name)] = { dtype: 'F32', shape: tensor.shape, data: tensor.data };
    expect(Object.keys(tensors)).toContain('encoder.mid_block.attentions.0.query.weight');
    expect(Object.keys(tensors)).toContain('decoder.mid_block.attentions.0.proj_attn.bias');
    await writeSafetensors(join(folder, 'diffusion_pytorch_model.safetensors'), tensors, { format: 'pt' });

    const legacy = await AutoencoderKL.fromPretrained(folder);
    for (const [name, tensor] of await legacy.stateDict()) expect(Array.from(tensor.data), name).toEqual(Array.from(state.get(name)!.data));
    const resaved = join(out, 'resaved');
    await legacy.savePretrained(resaved);
    const reader = await SafetensorsReader.open(join(resaved, 'diffusion_pytorch_model.safetensors'));
    expect(reader.keys().sort()).toEqual([...state.keys()].sort());
    await reader.close();

    // loadStateDict takes both spellings as well; both at once is an error naming them
    const byOldName = new Map([...state].map(([name, tensor]) => [rename(name), tensor]));
    legacy.loadStateDict(byOldName);
    byOldName.set('encoder.mid_block.attentions.0.to_q.weight', state.get('encoder.mid_block.attentions.0.to_q.weight')!);
    const both = await errorOf(() => legacy.loadStateDict(byOldName));
    expect(both.code).toBe('MODEL_WEIGHTS_MISMATCH');
    expect(both.message).toContain('encoder.mid_block.attentions.0.query.weight');
    vae.dispose();
    legacy.dispose();
  });

  it("reads newer diffusers' use_quant_conv / use_post_quant_conv / mid_block_add_attention / shift_factor, writing them back only when given", async () => {
    const plain = AutoencoderKL.meta(SMALL);
    const names = [...plain.parameterShapes().keys()];
    expect(names).toContain('quant_conv.weight');
    expect(names.some((name) => name.includes('mid_block.attentions.0'))).toBe(true);
    expect(Object.keys(plain.configJson())).not.toContain('use_quant_conv');
    expect(plain.shiftFactor).toBe(0);

    const newer = AutoencoderKL.meta({ ...SMALL, use_quant_conv: false, use_post_quant_conv: false, mid_block_add_attention: false, shift_factor: 0.0609, scaling_factor: 1.5035, latents_mean: [0.1, 0.2, 0.3], latents_std: [1, 1, 1], force_upcast: false });
    const newerNames = [...newer.parameterShapes().keys()];
    expect(newerNames.filter((name) => name.includes('quant_conv') || name.includes('attentions'))).toEqual([]);
    expect(newer.shiftFactor).toBe(0.0609);
    expect(newer.scalingFactor).toBe(1.5035);
    expect(newer.configJson()).toMatchObject({ use_quant_conv: false, use_post_quant_conv: false, mid_block_add_attention: false, shift_factor: 0.0609, latents_mean: [0.1, 0.2, 0.3] });

    const unsupported = await errorOf(() => AutoencoderKL.meta({ ...SMALL, down_block_types: ['AttnDownEncoderBlock2D', 'DownEncoderBlock2D'] }));
    expect(unsupported.code).toBe('MODEL_CONFIG_UNSUPPORTED');
    expect(unsupported.message).toContain('AttnDownEncoderBlock2D');
    expect((await errorOf(() => AutoencoderKL.meta({ ...SMALL, norm_num_groups: 3 }))).code).toBe('MODEL_CONFIG_INVALID');
    expect((await errorOf(() => AutoencoderKL.meta({ ...SMALL, unknown_field: 1 }))).message).toContain('unknown_field');
  });

  it('works on other configurations: non-square images, encode/decode shapes, seeded samples, a gradient through decode, no leaks', () => {
    const vae = AutoencoderKL.fromConfig(SMALL, 3, { trainable: true });
    const before = tf.memory().numTensors;
    const image = tf.randomUniform([2, 12, 8, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const dist = vae.encode(image);
    expect(dist.mean.shape).toEqual([2, 6, 4, 3]);
    const [a, b, c] = [dist.sample({ seed: 1 }), dist.sample({ seed: 1 }), dist.sample({ seed: 2 })];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const std = dist.std.dataSync();
    expect(dist.logvar.dataSync().every((value, i) => Math.abs(Math.exp(0.5 * value) - std[i]!) <= 1e-6 * Math.max(1, std[i]!))).toBe(true);
    const mode = dist.mode();
    const decoded = vae.decode(mode);
    expect(decoded.shape).toEqual([2, 12, 8, 3]);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(vae.decode(dist.mean))) as tf.Scalar, vae.decoder.namedParameters().map(([, p]) => p.value));
    expect(Object.values(grads).every((g) => g.dataSync().every(Number.isFinite))).toBe(true);
    tf.dispose([image, a, b, c, mode, decoded, value, ...Object.values(grads)]);
    dist.dispose();
    expect(tf.memory().numTensors).toBe(before);
    vae.dispose();
  });

  it('names wrong inputs (MODEL_INPUT_INVALID)', async () => {
    const vae = AutoencoderKL.fromConfig(SMALL, 5);
    expect((await errorOf(() => vae.encode(tf.zeros([1, 8, 8, 4]) as tf.Tensor4D))).message).toContain('image');
    expect((await errorOf(() => vae.decode(tf.zeros([1, 4, 4, 4]) as tf.Tensor4D))).message).toContain('latents');
    const dist = vae.encode(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D);
    expect((await errorOf(() => dist.sample(tf.zeros([1, 4, 4, 4]) as tf.Tensor4D))).code).toBe('MODEL_INPUT_INVALID');
    vae.dispose();
  });
});

describe('AutoencoderKL config.json', () => {
  it("writes the fixture's config back unchanged", async () => {
    const raw = JSON.parse(await readFile(join(fixtureRoot(), 'vae', 'config.json'), 'utf8'));
    expect(AutoencoderKL.meta(raw).configJson()).toEqual(raw);
  });
});
