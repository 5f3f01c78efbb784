import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, makeWorkspace, type CliResult, type Workspace } from './cli.js';
import { readEventFiles } from './readEventFiles.js';

let ws: Workspace;
let out: string;
let run: CliResult;

/** Width, height and channels of a PNG, decoded by sharp (which fails on a truncated or invalid file). */
async function pngSize(path: string): Promise<[number, number, number]> {
  const { info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return [info.width, info.height, info.channels];
}

beforeAll(async () => {
  ws = await makeWorkspace({ count: 4 });
  out = join(ws.root, 'out');
  // train_text_to_image_sdxl.py's own flags, as its README runs them (with tiny numbers)
  run = await ws.train([
    '--pretrained_model_name_or_path', ws.pipelineDir,
    '--train_data_dir', ws.dataDir,
    '--resolution', '32',
    '--train_batch_size', '2',
    '--max_train_steps', '3',
    '--checkpointing_steps', '2',
    '--validation_prompt', 'a red circle',
    '--num_validation_images', '1',
    '--output_dir', out,
    '--seed', '1',
    '--mixed_precision', 'fp16',
    '--enable_xformers_memory_efficient_attention',
    ...BACKEND,
  ]);
}, 180_000);
afterAll(async () => {
  await ws?.dispose();
});

describe('sdxl-train with the script flags (no config file)', () => {
  it('trains 3 steps and exits 0, saying at start-up what the flags without a TensorFlow.js meaning do', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--mixed_precision fp16: ignored — TensorFlow.js has no float16/bfloat16 compute; training runs in float32');
    expect(run.stdout).toContain('--enable_xformers_memory_efficient_attention: UNet and VAE attention run query-chunked');
    expect(run.stdout).toMatch(/backend wasm \(.*1 thread\) as requested/);
    expect(run.stdout).toMatch(/finished 3 steps in \d+\.\d s; last loss \d+\.\d{4}; seed 1/);
  });

  it('writes checkpoint-2 with the diffusers unet/ folder', () => {
    const checkpoint = join(out, 'checkpoint-2');
    expect(JSON.parse(readFileSync(join(checkpoint, 'trainer_state.json'), 'utf8'))).toMatchObject({ step: 2 });
    for (const file of ['model.safetensors', 'optimizer.safetensors', 'unet/config.json', 'unet/diffusion_pytorch_model.safetensors']) expect(existsSync(join(checkpoint, file)), file).toBe(true);
    // 3 steps with a checkpoint every 2: only step 2 is a checkpoint
    expect(readdirSync(out).filter((name) => name.startsWith('checkpoint-'))).toEqual(['checkpoint-2']);
  });

  it('writes a validation PNG at the end of the first epoch and the final test PNG, at the resolution', async () => {
    // 4 images in batches of 2: the first epoch ends at step 2
    expect(await pngSize(join(out, 'validation/step-2/0.png'))).toEqual([32, 32, 3]);
    expect(await pngSize(join(out, 'validation/final/0.png'))).toEqual([32, 32, 3]);
  });

  it('writes a TensorBoard event file with the loss of every step and the validation image', () => {
    const events = readEventFiles(join(out, 'logs'));
    expect(events.files).toHaveLength(1);
    expect([...events.scalars.get('train/loss')!.keys()]).toEqual([1, 2, 3]);
    for (const loss of events.scalars.get('train/loss')!.values()) expect(loss).toBeGreaterThan(0);
    expect(events.images.get('validation/0')).toEqual([2]);
    // the last logged loss is the one the CLI printed, to its 4 decimals
    const printed = Number(/last loss (\d+\.\d{4})/.exec(run.stdout)![1]);
    expect(events.scalars.get('train/loss')!.get(3)).toBeCloseTo(printed, 4);
  });

  it('saves a diffusers folder: the trained UNet, the other components copied from the source', () => {
    expect(JSON.parse(readFileSync(join(out, 'model_index.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(ws.pipelineDir, 'model_index.json'), 'utf8')));
    const unet = 'unet/diffusion_pytorch_model.safetensors';
    expect(readFileSync(join(out, unet)).equals(readFileSync(join(ws.pipelineDir, unet)))).toBe(false);
    for (const file of ['vae/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors', 'text_encoder_2/model.safetensors', 'tokenizer/vocab.json', 'tokenizer_2/merges.txt', 'scheduler/scheduler_config.json']) {
      expect(readFileSync(join(out, file)).equals(readFileSync(join(ws.pipelineDir, file))), file).toBe(true);
    }
  });

  it('is read back by sdxl-generate, which writes a PNG of the pipeline size', async () => {
    const images = join(ws.root, 'generated');
    const result = await ws.generate(['--model', out, '--prompt', 'a red circle', '--steps', '10', '--seed', '3', '--out', images, ...BACKEND]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('generated 1 image of 32×32');
    expect(readdirSync(images)).toEqual(['0-3.png']);
    expect(await pngSize(join(images, '0-3.png'))).toEqual([32, 32, 3]);
  });
});
