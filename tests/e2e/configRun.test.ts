import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, makeWorkspace, type Workspace } from './cli.js';
import { readEventFiles } from './readEventFiles.js';

let ws: Workspace;
let config: string;

beforeAll(async () => {
  ws = await makeWorkspace({ count: 4 });
  config = join(ws.root, 'sdxl.config.ts');
  // A user's config file: core options beside the SDXL preset, 10 steps, no offset noise.
  writeFileSync(
    config,
    `import { defineConfig } from '@sdxl-trainer/core';
import { sdxlPreset } from '@sdxl-trainer/preset-sdxl';

export default defineConfig({
  seed: 7,
  backend: 'wasm',
  threads: 1,
  trainBatchSize: 2,
  maxTrainSteps: 10,
  checkpointingSteps: null,
  outputDir: ${JSON.stringify(join(ws.root, 'out-config'))},
  plugins: [
    sdxlPreset({
      pretrainedModelNameOrPath: ${JSON.stringify(ws.pipelineDir)},
      trainDataDir: ${JSON.stringify(ws.dataDir)},
      resolution: 32,
    }),
  ],
});
`,
  );
}, 120_000);
afterAll(async () => {
  await ws?.dispose();
});

describe('sdxl-train --config, with flags that win over the file', () => {
  it('runs the steps a core flag asks for instead of the config value, and a preset flag changes the preset', async () => {
    const withOffset = await ws.train(['--config', config, '--max_train_steps', '2', '--noise_offset', '0.05', '--output_dir', join(ws.root, 'offset'), ...BACKEND]);
    expect(withOffset.stderr).toBe('');
    expect(withOffset.code).toBe(0);
    expect(withOffset.stdout).toContain('training 2 steps');
    expect(withOffset.stdout).toMatch(/finished 2 steps in .*; seed 7/);
    const offsetLosses = readEventFiles(join(ws.root, 'offset', 'logs')).scalars.get('train/loss')!;
    expect([...offsetLosses.keys()]).toEqual([1, 2]);

    // the same run without --noise_offset: same seed, same data, same first batch — only the noise differs
    const plain = await ws.train(['--config', config, '--max_train_steps', '2', '--output_dir', join(ws.root, 'plain'), ...BACKEND]);
    expect(plain.code).toBe(0);
    const plainLosses = readEventFiles(join(ws.root, 'plain', 'logs')).scalars.get('train/loss')!;
    expect(plainLosses.get(1)).not.toBe(offsetLosses.get(1));
    // the config's own output folder was not used: --output_dir won
    expect(existsSync(join(ws.root, 'out-config'))).toBe(false);
    expect(readdirSync(join(ws.root, 'plain'))).toContain('model_index.json');
  });

  it('runs the config as written when no flag is given', async () => {
    const result = await ws.train(['--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('training 10 steps');
    expect(result.stdout).toMatch(/backend wasm \(.*1 thread\)/);
    expect([...readEventFiles(join(ws.root, 'out-config', 'logs')).scalars.get('train/loss')!.keys()]).toHaveLength(10);
  });
});
