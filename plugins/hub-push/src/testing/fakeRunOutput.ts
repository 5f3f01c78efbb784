// Test helpers of this package (excluded from the build).
import { Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const made: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
export async function tempDir(prefix = 'hub-push-'): Promise<string> {
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

/** Writes files (path relative to `root` → content) into `root`, creating folders. */
export async function writeTree(root: string, files: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** Every file under `root` (relative paths with `/`, sorted) with its bytes. */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(root, path).split('\\').join('/'), await readFile(path));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** 1.5 MiB and 1.25 MiB weights: above 1 MiB, and `.safetensors`, so both go through LFS. */
export const UNET_WEIGHTS = bytes(1.5 * 1024 * 1024, 11);
export const VAE_WEIGHTS = bytes(1.25 * 1024 * 1024, 12);
/** Stand-ins for the final test PNGs (their bytes are copied, never decoded). */
export const TEST_PNGS = [bytes(2048, 21), bytes(3072, 22)];
export const TEST_PROMPT = 'a red circle: on white';

/** What the fake pipeline folder holds after saveModel. */
export const PIPELINE_FILES: Readonly<Record<string, string | Uint8Array>> = {
  'model_index.json': '{"_class_name":"StableDiffusionXLPipeline"}',
  'unet/config.json': '{"sample_size":128}',
  'unet/diffusion_pytorch_model.safetensors': UNET_WEIGHTS,
  'vae/diffusion_pytorch_model.safetensors': VAE_WEIGHTS,
  'scheduler/scheduler_config.json': '{"_class_name":"EulerDiscreteScheduler"}',
};

/** Files besides the pipeline a real run may leave in outputDir: a checkpoint, logs, leftovers. */
export const RUN_LEFTOVERS: Readonly<Record<string, string | Uint8Array>> = {
  'checkpoint-2/trainer_state.json': '{"globalStep":2}',
  'checkpoint-2/unet/diffusion_pytorch_model.safetensors': bytes(4096, 31),
  'checkpoint-3.tmp-0a1b2c/trainer_state.json': '{}',
  'logs/events.out.tfevents.1.host': 'events',
  'step_1/notes.txt': 'script-era folder',
  '.README.md.00ff00ff.tmp': 'half-written',
};

/**
 * Stands in for the model and validation plugins of a real run: in saveModel it writes a small diffusers-like folder
 * (with two LFS-sized weight files) plus `leftovers`; in afterTrain (the validation plugin's stage) it writes the
 * final test PNGs into `<outputDir>/validation/final/` and emits them as `test/<i>` images, as the validation plugin does.
 */
export function fakeRunOutput(options: { leftovers?: boolean; testImages?: boolean } = {}): TrainerPlugin {
  const name = 'test:fake-run-output';
  return {
    name,
    apply(trainer) {
      trainer.hooks.saveModel.tapPromise(name, async ({ outputDir }) => {
        await writeTree(outputDir, { ...PIPELINE_FILES, ...(options.leftovers === true ? RUN_LEFTOVERS : {}) });
      });
      trainer.hooks.afterTrain.tapPromise({ name, stage: Stage.DEFAULT }, async (summary) => {
        if (options.testImages === false || summary.status !== 'completed') return;
        const folder = join(trainer.config.outputDir, 'validation', 'final');
        await writeTree(folder, Object.fromEntries(TEST_PNGS.map((png, i) => [`${i}.png`, png])));
        trainer.emit('validation:images', {
          step: summary.globalStep,
          images: TEST_PNGS.map((_, i) => ({ tag: `test/${i}`, data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, caption: `${i}: ${TEST_PROMPT}` })),
        });
      });
    },
  };
}
