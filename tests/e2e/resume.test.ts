import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, makeWorkspace, type CliResult, type Workspace } from './cli.js';
import { readEventFiles } from './readEventFiles.js';

let ws: Workspace;
let uninterrupted: CliResult;
let first: CliResult;
let resumed: CliResult;

/** One run's flags: 6 images in batches of 2 (3 steps per epoch, so step 4 is mid-epoch), warmup and EMA so their state must come back too. */
const flags = (outputDir: string, steps: number): string[] => [
  '--pretrained_model_name_or_path', ws.pipelineDir,
  '--train_data_dir', ws.dataDir,
  '--resolution', '32',
  '--train_batch_size', '2',
  '--max_train_steps', String(steps),
  '--checkpointing_steps', '2',
  '--lr_scheduler', 'constant_with_warmup',
  '--lr_warmup_steps', '3',
  '--learning_rate', '1e-3',
  '--use_ema',
  '--random_flip',
  '--output_dir', outputDir,
  '--seed', '11',
  ...BACKEND,
];

beforeAll(async () => {
  ws = await makeWorkspace({ count: 6 });
  uninterrupted = await ws.train(flags(join(ws.root, 'whole'), 6));
  first = await ws.train(flags(join(ws.root, 'split'), 4));
  resumed = await ws.train([...flags(join(ws.root, 'split'), 6), '--resume_from_checkpoint', 'latest']);
}, 240_000);
afterAll(async () => {
  await ws?.dispose();
});

describe('--resume_from_checkpoint latest', () => {
  it('continues from the last checkpoint of the interrupted run and says so', () => {
    for (const run of [uninterrupted, first, resumed]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    expect(readdirSync(join(ws.root, 'split')).filter((name) => name.startsWith('checkpoint-')).sort()).toEqual(['checkpoint-2', 'checkpoint-4', 'checkpoint-6']);
    expect(resumed.stdout).toMatch(/Resuming from checkpoint .*checkpoint-4\n/);
    expect(resumed.stdout).toContain('resumed at step 4');
    expect(resumed.stdout).toMatch(/finished 6 steps/);
    expect(resumed.stdout).not.toMatch(/^step [1-4]\//m);
  });

  it('gives steps 5–6 exactly the losses of the uninterrupted run, and the same final weights', () => {
    const wholeEvents = readEventFiles(join(ws.root, 'whole', 'logs'));
    const whole = wholeEvents.scalars.get('train/loss')!;
    const split = readEventFiles(join(ws.root, 'split', 'logs'));
    // one file from the first run (steps 1–4), one from the resumed run (steps 5–6)
    expect(split.files).toHaveLength(2);
    const losses = split.scalars.get('train/loss')!;
    expect([...whole.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...losses.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // why exact: same backend, same kernels, and the checkpoint restores weights, optimizer moments, EMA shadows,
    // the LR schedule, every random stream and the data position bit for bit; any drift would show here.
    for (const step of [1, 2, 3, 4, 5, 6]) expect(losses.get(step), `step ${step}`).toBe(whole.get(step));
    for (const step of [5, 6]) expect(split.scalars.get('train/lr')!.get(step)).toBe(wholeEvents.scalars.get('train/lr')!.get(step));
    // the saved UNet holds the EMA weights after step 6: equal bytes means the EMA state resumed exactly too
    const unet = 'unet/diffusion_pytorch_model.safetensors';
    expect(readFileSync(join(ws.root, 'split', unet)).equals(readFileSync(join(ws.root, 'whole', unet)))).toBe(true);
  });
});
