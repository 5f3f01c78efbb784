import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, makeWorkspace, type Workspace } from './cli.js';
import { readEventFiles } from './readEventFiles.js';

let ws: Workspace;
let out: string;

/** Every file under `dir` (relative path → SHA-256), to show a folder did not change. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

const flags = (overrides: Record<string, string> = {}): string[] =>
  Object.entries({
    '--pretrained_model_name_or_path': ws.pipelineDir,
    '--train_data_dir': ws.dataDir,
    '--resolution': '32',
    '--train_batch_size': '2',
    '--max_train_steps': '2',
    '--checkpointing_steps': '2',
    '--output_dir': out,
    '--seed': '3',
    ...overrides,
  }).flatMap(([flag, value]) => [flag, value]).concat(BACKEND);

beforeAll(async () => {
  ws = await makeWorkspace({ count: 4 });
  out = join(ws.root, 'out');
  const good = await ws.train(flags());
  expect(good.code, good.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await ws?.dispose();
});

describe('runs that fail', () => {
  it('exit 2 naming the flag for a bad flag value, and leave the output folder as it was', async () => {
    const before = snapshot(out);
    const resolution = await ws.train(flags({ '--resolution': '30' }));
    expect(resolution.code).toBe(2);
    expect(resolution.stderr).toContain('error CONFIG_INVALID');
    expect(resolution.stderr).toContain('resolution (--resolution): got 30; expected a positive multiple of 8');
    const learningRate = await ws.train(flags({ '--learning_rate': 'abc' }));
    expect(learningRate.code).toBe(2);
    expect(learningRate.stderr).toContain('--learning_rate "abc": expected a number');
    expect(snapshot(out)).toEqual(before);
  });

  it('exit 1 naming the folder for a missing dataset or model folder, and leave the output folder as it was', async () => {
    const before = snapshot(out);
    const missingData = join(ws.root, 'no-such-images');
    const data = await ws.train(flags({ '--train_data_dir': missingData }));
    expect(data.code).toBe(1);
    expect(data.stderr).toContain('DATA_FILES_NOT_FOUND');
    expect(data.stderr).toContain(`the train data folder ${missingData} does not exist`);
    const missingModel = join(ws.root, 'no-such-model');
    const model = await ws.train(flags({ '--pretrained_model_name_or_path': missingModel }));
    expect(model.code).toBe(1);
    expect(model.stderr).toContain(`"${missingModel}" is neither an existing local path nor a Hub repo id`);
    expect(snapshot(out)).toEqual(before);
  });

  it('a run that fails mid-training keeps its finished checkpoint whole, leaves no half files, and resumes', async () => {
    const failing = join(ws.root, 'failing');
    const config = join(ws.root, 'failing.config.ts');
    writeFileSync(
      config,
      `import { defineConfig, type TrainerPlugin } from '@sdxl-trainer/core';
import { sdxlPreset } from '@sdxl-trainer/preset-sdxl';

const failAtStep3: TrainerPlugin = {
  name: 'fail-at-step-3',
  apply(trainer) {
    trainer.hooks.beforeStep.tapPromise('fail-at-step-3', async ({ step }) => {
      if (step === 3) throw new Error('the disk caught fire at step 3');
    });
  },
};

export default defineConfig({
  seed: 3,
  backend: 'wasm',
  threads: 1,
  trainBatchSize: 2,
  maxTrainSteps: 4,
  checkpointingSteps: 2,
  outputDir: ${JSON.stringify(failing)},
  plugins: [sdxlPreset({ pretrainedModelNameOrPath: ${JSON.stringify(ws.pipelineDir)}, trainDataDir: ${JSON.stringify(ws.dataDir)}, resolution: 32 }), failAtStep3],
});
`,
    );
    const result = await ws.train(['--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the disk caught fire at step 3');
    expect(result.stderr).toContain('fail-at-step-3');

    const files = Object.keys(snapshot(failing));
    expect(files.filter((file) => /tmp/i.test(file))).toEqual([]);
    expect(existsSync(join(failing, 'model_index.json'))).toBe(false); // no final save of a failed run
    // the checkpoint is whole: every tensor file its trainer_state.json lists has the size it lists
    const state = JSON.parse(readFileSync(join(failing, 'checkpoint-2', 'trainer_state.json'), 'utf8')) as { step: number; files: Record<string, { bytes: number }> };
    expect(state.step).toBe(2);
    expect(Object.keys(state.files)).toContain('model.safetensors');
    for (const [file, { bytes }] of Object.entries(state.files)) expect(statSync(join(failing, 'checkpoint-2', file)).size, file).toBe(bytes);
    // the event file is whole (every record's CRC checks out) and holds steps 1–2
    expect([...readEventFiles(join(failing, 'logs')).scalars.get('train/loss')!.keys()]).toEqual([1, 2]);

    const resumed = await ws.train(flags({ '--output_dir': failing, '--max_train_steps': '4', '--resume_from_checkpoint': 'latest' }));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('resumed at step 2');
    expect(resumed.stdout).toMatch(/finished 4 steps/);
  });
});
