import { filterPaths } from '@sdxl-trainer/hub';
import { describe, expect, it } from 'vitest';
import { uploadIgnorePatterns } from './uploadIgnorePatterns.js';

const OUTPUT = [
  'README.md',
  'image_0.png',
  'model_index.json',
  'unet/config.json',
  'unet/diffusion_pytorch_model.safetensors',
  'logs/events.out.tfevents.1.host',
  'validation/step-2/0.png',
  'checkpoint-500/trainer_state.json',
  'checkpoint-500/unet/diffusion_pytorch_model.safetensors',
  'checkpoint-1000.tmp-0a1b2c/trainer_state.json',
  'checkpoint-400.old-99aa/trainer_state.json',
  'step_10/x.bin',
  'epoch_1/x.bin',
  '.README.md.00ff00ff.tmp',
  'unet/diffusion_pytorch_model.safetensors.tmp-1234abcd',
  'validation/final/.0.png.123-uuid.tmp',
  'blob.incomplete',
  'unet/step_notes.txt',
];

describe('uploadIgnorePatterns', () => {
  it("drops the script's step_*/epoch_*, temporary files and checkpoints; keeps the pipeline, card, logs and images", () => {
    expect(filterPaths(OUTPUT, undefined, uploadIgnorePatterns())).toEqual([
      'README.md',
      'image_0.png',
      'model_index.json',
      'unet/config.json',
      'unet/diffusion_pytorch_model.safetensors',
      'logs/events.out.tfevents.1.host',
      'validation/step-2/0.png',
      'unet/step_notes.txt',
    ]);
  });

  it('keeps finished checkpoints with pushCheckpoints, never half-written or moved-aside ones', () => {
    const kept = filterPaths(OUTPUT, undefined, uploadIgnorePatterns({ pushCheckpoints: true }));
    expect(kept.filter((path) => path.startsWith('checkpoint-'))).toEqual(['checkpoint-500/trainer_state.json', 'checkpoint-500/unet/diffusion_pytorch_model.safetensors']);
  });

  it('adds the caller’s patterns', () => {
    expect(filterPaths(OUTPUT, undefined, uploadIgnorePatterns({ extra: ['logs/', 'validation/'] }))).not.toContain('logs/events.out.tfevents.1.host');
  });
});
