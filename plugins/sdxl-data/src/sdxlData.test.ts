import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoaderFactory, Stage, Trainer, type Dataset, type TrainerPlugin, type TrainerSnapshot } from '@sdxl-trainer/core';
import { StreamingDataLoader, type PrecomputeSummary, type SdxlSample } from '@sdxl-trainer/data';
import { ErrorCode } from '@sdxl-trainer/errors';
import { getSdxlHooks } from '@sdxl-trainer/sdxl';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { cloneSnapshot, ddpmPlugin, mlpDenoiserPlugin } from '@sdxl-trainer/tests-toy';
import { defaultPrecomputeCacheDir } from './defaultPrecomputeCacheDir.js';
import { NAME, sdxlData } from './sdxlData.js';
import type { SdxlDataOptions } from './sdxlDataOptions.js';
import { coordinateRgb, encodePng } from './testing/encodePng.js';
import { BlockMeanLatentEncoder, fakeEncodersPlugin, LengthTextEmbedder } from './testing/fakeEncoders.js';

// [width, height]: the shorter side is 16, the resolution of most runs, so no resize happens and pixel values stay
// the coordinates they encode; the longer side leaves room for random crops.
const SIZES: readonly [number, number][] = [
  [24, 16],
  [16, 28],
  [40, 16],
  [16, 16],
  [32, 16],
  [16, 24],
];
const CAPTIONS = ['a wide picture', 'a tall picture', 'a very wide picture', 'a square', 'a wide picture', 'a tall picture'];
const temps: string[] = [];
let imageFolder: string;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sdxl-data-plugin-'));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  await setTestBackend();
  imageFolder = await tempDir();
  const lines: string[] = [];
  for (const [i, [w, h]] of SIZES.entries()) {
    await writeFile(join(imageFolder, `img${i}.png`), encodePng(w, h, coordinateRgb(w, h)));
    lines.push(JSON.stringify({ file_name: `img${i}.png`, text: CAPTIONS[i] }));
  }
  await writeFile(join(imageFolder, 'metadata.jsonl'), `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** What one run showed. */
interface DataRun {
  summary: PrecomputeSummary;
  cacheDir: string;
  logs: string[];
  /** Every sample of the precomputed dataset, per augmentation variant (epoch). */
  samplesByEpoch: SdxlSample[][];
  loaderIsStreaming: boolean;
  microSteps: { step: number; epoch: number; indices: number[]; cropTopLeft: number[][]; caption: unknown[] }[];
  losses: number[];
}

/** A trainer over the image folder: fake encoders, the toy MLP over `[res/8, res/8, 4]` latents, SDXL's DDPM. */
async function runData(args: {
  data: Partial<SdxlDataOptions>;
  text?: LengthTextEmbedder;
  latents?: BlockMeanLatentEncoder;
  seed?: number;
  maxTrainSteps?: number;
  checkpointingSteps?: number;
  variants?: number;
  extra?: TrainerPlugin[];
}): Promise<DataRun> {
  const { data, seed = 1, maxTrainSteps = 2, variants = 1, extra = [] } = args;
  const resolution = data.resolution ?? 16;
  const seen: Partial<DataRun> & Pick<DataRun, 'logs' | 'microSteps' | 'losses'> = { logs: [], microSteps: [], losses: [] };
  const recorder: TrainerPlugin = {
    name: 'test:recorder',
    apply(t) {
      t.events$.subscribe((e) => {
        if (e.type === 'sdxl-data:precomputed') Object.assign(seen, { summary: e.summary, cacheDir: e.cacheDir });
        if (e.type === 'log') seen.logs.push(e.message);
      });
      let dataset: Dataset | undefined;
      t.hooks.precompute.tapPromise({ name: 'test:recorder', stage: Stage.REPORT }, async (d) => {
        dataset = d;
        const epochAware = d as Dataset<SdxlSample> & { getInEpoch(i: number, e: number): Promise<SdxlSample> };
        seen.samplesByEpoch = [];
        for (let e = 0; e < variants; e++) seen.samplesByEpoch.push(await Promise.all(Array.from({ length: d.size }, (_, i) => epochAware.getInEpoch(i, e))));
        return d;
      });
      t.hooks.beforeTrain.tap('test:recorder', () => {
        seen.loaderIsStreaming = t.container.resolve(DataLoaderFactory)(dataset!, { batchSize: 2, seed: 1 }) instanceof StreamingDataLoader;
      });
      t.hooks.sampleNoise.tap({ name: 'test:recorder', stage: Stage.REPORT }, (noise, context) => {
        const crop = context.batch.tensors['cropTopLeft']!.arraySync() as number[][];
        seen.microSteps.push({ step: context.step, epoch: context.epoch, indices: [...context.batch.indices], cropTopLeft: crop, caption: [...context.batch.values['caption']!] });
        return noise;
      });
      t.hooks.afterStep.tap('test:recorder', ({ loss }) => void seen.losses.push(loss));
    },
  };
  const trainer = new Trainer({
    backend: 'cpu',
    seed,
    trainBatchSize: 2,
    learningRate: 1e-2,
    lrWarmupSteps: 0,
    maxTrainSteps,
    checkpointingSteps: args.checkpointingSteps ?? 500,
    outputDir: 'unused',
    plugins: [
      ddpmPlugin(),
      mlpDenoiserPlugin({ features: (resolution / 8) ** 2 * 4, hidden: 8, condFeatures: 0, seed: 3 }),
      fakeEncodersPlugin(args.text ?? new LengthTextEmbedder(), args.latents ?? new BlockMeanLatentEncoder()),
      sdxlData({ trainDataDir: imageFolder, resolution, augmentationVariants: variants, ...data }),
      recorder,
      ...extra,
    ],
  });
  await trainer.run();
  return seen as DataRun;
}

/** Where a latent made by BlockMeanLatentEncoder was cropped from a coordinate image (and whether it was mirrored). */
function cropOfLatent(sample: SdxlSample): { y: number; x: number; flipped: boolean } {
  const latent = sample.modelInput.data;
  const byte = (v: number) => (v * 0.5 + 0.5) * 255; // the [-1, 1] normalisation undone
  const [red00, green00, red01] = [byte(latent[0]!), byte(latent[1]!), byte(latent[4]!)];
  const flipped = red01 < red00; // columns run backwards in a mirrored image
  const width = sample.originalSize[1];
  // an 8×8 block starting at column x holds x..x+7 (mean x + 3.5), or, mirrored, W-1-x .. W-8-x (mean W - 4.5 - x)
  const x = flipped ? width - 4.5 - red00 : red00 - 3.5;
  const y = green00 - 3.5;
  expect(Math.abs(x - Math.round(x))).toBeLessThan(1e-3);
  expect(Math.abs(y - Math.round(y))).toBeLessThan(1e-3);
  return { y: Math.round(y) + 0, x: Math.round(x) + 0, flipped }; // + 0 turns -0 into 0
}

describe('sdxlData options', () => {
  const problem = (options: unknown): string => {
    try {
      sdxlData(options as never);
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
      return (error as Error).message;
    }
    throw new Error(`sdxlData(${JSON.stringify(options)}) did not throw`);
  };

  it('needs a dataset name or an image folder, as the script\'s parse_args', () => {
    expect(problem({})).toMatch(/@sdxl-trainer\/plugin-sdxl-data: datasetName \(--dataset_name\): got nothing; expected a dataset name \(datasetName, --dataset_name\) or an image folder \(trainDataDir, --train_data_dir\)/);
  });

  it('makes a plugin named after the package', () => {
    expect(NAME).toBe('@sdxl-trainer/plugin-sdxl-data');
    expect(sdxlData({ trainDataDir: 'x' }).name).toBe(NAME);
  });

  it('names the option, the flag, the value and what was expected', () => {
    expect(problem({ trainDataDir: 'x', resolution: 1020 })).toMatch(/resolution \(--resolution\): got 1020; expected a positive multiple of 8/);
    expect(problem({ trainDataDir: 'x', imageInterpolationMode: 'cubic' })).toMatch(/imageInterpolationMode \(--image_interpolation_mode\): got "cubic" \(a string\); expected one of nearest, nearest_exact, bilinear/);
    expect(problem({ trainDataDir: 'x', dataloaderNumWorkers: -1 })).toMatch(/dataloaderNumWorkers \(--dataloader_num_workers\): got -1/);
    expect(problem({ trainDataDir: 'x', center_crop: true })).toMatch(/unknown option "center_crop"; did you mean "centerCrop"\?/);
  });
});

describe('sdxlData requirements', () => {
  const prepare = (plugins: TrainerPlugin[]) => () => new Trainer({ backend: 'cpu', outputDir: 'unused', plugins: [...plugins, sdxlData({ trainDataDir: 'anywhere' })] }).prepare();

  it('fails in configResolved without a text embedder or a latent encoder', () => {
    expect(prepare([fakeEncodersPlugin(undefined, new BlockMeanLatentEncoder())])).toThrow(
      'plugin @sdxl-trainer/plugin-sdxl-data requires a text embedder (add @sdxl-trainer/plugin-sdxl-text-encoding, or a plugin that registers its token)',
    );
    expect(prepare([fakeEncodersPlugin(new LengthTextEmbedder(), undefined)])).toThrow(/requires a latent encoder \(add @sdxl-trainer\/plugin-sdxl-vae/);
    expect(prepare([fakeEncodersPlugin(new LengthTextEmbedder(), new BlockMeanLatentEncoder())])).not.toThrow();
  });

  it('accepts the providing plugins by name before they register (they do so while models load)', () => {
    const named = (name: string): TrainerPlugin => ({ name, apply: () => undefined });
    expect(prepare([named('@sdxl-trainer/plugin-sdxl-text-encoding'), named('@sdxl-trainer/plugin-sdxl-vae')])).not.toThrow();
  });

  it('names the missing provider again at precompute if it never registered', async () => {
    const trainer = new Trainer({
      backend: 'cpu',
      outputDir: 'unused',
      plugins: [ddpmPlugin(), fakeEncodersPlugin(new LengthTextEmbedder(), undefined), { name: '@sdxl-trainer/plugin-sdxl-vae', apply: () => undefined }, sdxlData({ trainDataDir: imageFolder, resolution: 16 })],
    });
    await expect(trainer.run()).rejects.toMatchObject({ code: ErrorCode.PLUGIN_MISSING_DEPENDENCY, message: expect.stringMatching(/requires a latent encoder/) });
  });
});

describe('sdxlData in a training run', () => {
  it('serves every latent with exactly the crop (and flip) it was made from, and trains from the streaming loader', async () => {
    const cacheDir = await tempDir();
    const run = await runData({ data: { precomputeCacheDir: cacheDir, randomFlip: true }, variants: 3, maxTrainSteps: 4, seed: 7 });
    expect(run.cacheDir).toBe(cacheDir);
    expect(run.loaderIsStreaming).toBe(true);
    expect(run.losses).toHaveLength(4);
    let flips = 0;
    const crops = new Set<string>();
    for (const samples of run.samplesByEpoch) {
      samples.forEach((sample, i) => {
        const [w, h] = SIZES[i]!;
        expect(sample.originalSize).toEqual([h, w]);
        expect(sample.targetSize).toEqual([16, 16]);
        const crop = cropOfLatent(sample);
        expect(sample.cropTopLeft).toEqual([crop.y, crop.x]);
        expect(crop.y).toBeLessThanOrEqual(h - 16);
        expect(crop.x).toBeLessThanOrEqual(w - 16);
        flips += Number(crop.flipped);
        crops.add(`${i}:${crop.y},${crop.x}`);
      });
    }
    expect(flips).toBeGreaterThan(0); // 18 draws of p = 0.5
    expect(flips).toBeLessThan(18);
    expect(crops.size).toBeGreaterThan(SIZES.length); // random crops differ between variants
    // the training batches carry the micro-conditioning of the epoch's variant
    for (const micro of run.microSteps) {
      micro.indices.forEach((index, k) => expect(micro.cropTopLeft[k]).toEqual([...run.samplesByEpoch[micro.epoch % 3]![index]!.cropTopLeft]));
    }
  });

  it('logs the cache summary and reuses the cache in the next run; a new resolution recomputes only the latents', async () => {
    const cacheDir = await tempDir();
    const first = { text: new LengthTextEmbedder(), latents: new BlockMeanLatentEncoder() };
    const cold = await runData({ data: { precomputeCacheDir: cacheDir }, ...first });
    expect(cold.summary.samples).toBe(6);
    expect(cold.summary.text).toMatchObject({ hits: 0, computed: 4 }); // 4 distinct captions
    expect(cold.summary.latents).toMatchObject({ hits: 0, computed: 6 });
    expect(first.latents.encoded).toBe(6);
    expect(new Set(first.text.seen).size).toBe(4);
    expect(cold.logs.some((l) => /^precompute: 6 samples; text 0 cached \+ 4 computed, [\d.]+ MiB; latents 0 cached \+ 6 computed/.test(l))).toBe(true);
    expect(cold.logs).toContain(`precompute cache: ${cacheDir}`);

    const second = { text: new LengthTextEmbedder(), latents: new BlockMeanLatentEncoder() };
    const warm = await runData({ data: { precomputeCacheDir: cacheDir }, ...second });
    expect(warm.summary.text).toMatchObject({ hits: 4, computed: 0 });
    expect(warm.summary.latents).toMatchObject({ hits: 6, computed: 0 });
    expect(second.text.seen).toEqual([]);
    expect(second.latents.encoded).toBe(0);
    expect(warm.samplesByEpoch[0]!.map((s) => Array.from(s.modelInput.data))).toEqual(cold.samplesByEpoch[0]!.map((s) => Array.from(s.modelInput.data)));

    const third = { text: new LengthTextEmbedder(), latents: new BlockMeanLatentEncoder() };
    const resized = await runData({ data: { precomputeCacheDir: cacheDir, resolution: 24 }, ...third });
    expect(resized.summary.text).toMatchObject({ hits: 4, computed: 0 });
    expect(resized.summary.latents).toMatchObject({ hits: 0, computed: 6 });
    expect(resized.samplesByEpoch[0]![0]!.modelInput.shape).toEqual([3, 3, 4]);
    expect(resized.samplesByEpoch[0]![0]!.targetSize).toEqual([24, 24]);
  });

  it('resumes mid-epoch exactly: the same batches, crops and losses as the uninterrupted run', async () => {
    const cacheDir = await tempDir();
    let saved: TrainerSnapshot | undefined;
    const saver: TrainerPlugin = { name: 'test:saver', apply: (t) => t.hooks.saveState.tap('test:saver', ({ step, snapshot }) => void (step === 4 && (saved = cloneSnapshot(snapshot)))) };
    const data = { precomputeCacheDir: cacheDir, randomFlip: true };
    const whole = await runData({ data, variants: 2, maxTrainSteps: 8, checkpointingSteps: 4, seed: 11, extra: [saver] });
    expect(saved!.state.batchInEpoch).toBe(1); // 3 batches per epoch: step 4 ends batch 1 of epoch 1

    const restorer: TrainerPlugin = { name: 'test:restorer', apply: (t) => t.hooks.beforeTrain.tapPromise('test:restorer', () => t.restore(saved!)) };
    const resumed = await runData({ data, variants: 2, maxTrainSteps: 8, seed: 11, extra: [restorer] });
    const tail = whole.microSteps.filter((m) => m.step > 4);
    expect(resumed.microSteps).toEqual(tail);
    expect(resumed.losses).toEqual(whole.losses.slice(4));
  });

  it('passes every caption once through the SDXL caption hook before it is embedded', async () => {
    const calls: { cell: unknown; row: number; seed: number }[] = [];
    const shout: TrainerPlugin = {
      name: 'test:shout',
      apply: (t) =>
        getSdxlHooks(t).caption.tap('test:shout', (cell, { row, seed }) => {
          calls.push({ cell, row, seed });
          return typeof cell === 'string' ? cell.toUpperCase() : cell;
        }),
    };
    const text = new LengthTextEmbedder();
    const run = await runData({ data: { precomputeCacheDir: await tempDir() }, text, seed: 21, extra: [shout] });
    expect(calls.map((c) => c.row).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(calls.every((c) => c.seed === 21)).toBe(true);
    expect(calls.map((c) => c.cell).sort()).toEqual([...CAPTIONS].sort());
    expect([...new Set(text.seen)].sort()).toEqual([...new Set(CAPTIONS.map((c) => c.toUpperCase()))].sort());
    expect(run.samplesByEpoch[0]!.map((s) => s.caption)).toEqual(CAPTIONS.map((c) => c.toUpperCase()));
  });

  it('reports a missing image folder as the data package does', async () => {
    await expect(runData({ data: { trainDataDir: join(imageFolder, 'nope') } })).rejects.toMatchObject({ code: ErrorCode.DATA_FILES_NOT_FOUND });
  });
});

describe('defaultPrecomputeCacheDir', () => {
  it('prefers SDXL_TRAINER_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultPrecomputeCacheDir({ SDXL_TRAINER_CACHE: '/c', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe(join('/c', 'precompute'));
    expect(defaultPrecomputeCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe(join('/x', 'sdxl-trainer', 'precompute'));
    expect(defaultPrecomputeCacheDir({}, '/home/u')).toBe(join('/home/u', '.cache', 'sdxl-trainer', 'precompute'));
  });

  it('is what a run uses when precomputeCacheDir is not given', async () => {
    const home = await tempDir();
    const previous = process.env['SDXL_TRAINER_CACHE'];
    process.env['SDXL_TRAINER_CACHE'] = home;
    try {
      const run = await runData({ data: {} });
      expect(run.cacheDir).toBe(join(home, 'precompute'));
      expect(run.summary.latents.computed).toBe(6);
    } finally {
      if (previous === undefined) delete process.env['SDXL_TRAINER_CACHE'];
      else process.env['SDXL_TRAINER_CACHE'] = previous;
    }
  });
});

