import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { EmaWeights, Stage, Trainer, type TrainerPlugin, type ValidationImage } from '@sdxl-trainer/core';
import { UNet2DConditionModel } from '@sdxl-trainer/models';
import { StableDiffusionXLPipeline } from '@sdxl-trainer/pipeline';
import ema from '@sdxl-trainer/plugin-ema';
import sdxlUnet from '@sdxl-trainer/plugin-sdxl-unet';
import { initBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import validation from './index.js';
import { pngSize, sameWeights, samplesPlugin, testBackend, tinySamples, unetWeights } from './testing/fixtureRun.js';

// Two optimizer steps of the sdxl-tiny UNet (sdxl-unet's real plugin) on two precomputed random samples (batch 2:
// one step per epoch), validation after every epoch, then the final save and the final test. Every image is compared
// byte for byte with a pipeline built independently (StableDiffusionXLPipeline.fromPretrained on the fixture) around
// the same UNet weights, called with seed + i: same backend, same weights, same seed — the same bytes are expected.
// Small (32 × 32 pixels, 2 denoising steps) so the cpu backend stays within a couple of minutes.
const PROMPT = 'a red circle';
const RESOLUTION = 32;
const STEPS = 2;
const RUN_TIMEOUT = 900_000;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'validation-'));
  // why: the leak check counts tensors before the run; the run itself starts the same backend again.
  await initBackend({ backend: testBackend() });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** What the probe saw around one validation. */
interface Observed {
  readonly step: number;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
  readonly weightsBefore: Map<string, Float32Array>;
  readonly weightsAfter: Map<string, Float32Array>;
  /** The independent pipeline's images for seeds seed + i, on the weights validation should have used. */
  readonly expected: Uint8Array[];
  /** Only with EMA: the independent pipeline on the live (training) weights, and whether the EMA weights equal them. */
  readonly live?: Uint8Array[];
  readonly emaEqualsLive?: boolean;
}

/**
 * Watches the validation plugin from the outside: weights and tensor count just before and after its validate tap,
 * then renders the expected images with a pipeline loaded from the fixture around the live UNet (or a copy holding
 * the EMA weights). `frozenTensors` is the number of weight tensors of the fixture's text encoders and VAE.
 */
function probe(options: { seed: number; numImages: number; withEma: boolean }, seen: { observed: Observed[]; frozenTensors?: number }): TrainerPlugin {
  const name = 'test:probe';
  let reference: StableDiffusionXLPipeline | undefined;
  let emaUnet: UNet2DConditionModel | undefined;
  let before: { tensors: number; weights: Map<string, Float32Array> } | undefined;
  const draw = async (unet: UNet2DConditionModel): Promise<Uint8Array[]> => {
    const pipeline = new StableDiffusionXLPipeline({ ...reference!, unet });
    const images: Uint8Array[] = [];
    for (let i = 0; i < options.numImages; i++) images.push((await pipeline.call({ prompt: PROMPT, seed: options.seed + i, numInferenceSteps: STEPS, width: RESOLUTION, height: RESOLUTION })).images.data);
    return images;
  };
  return {
    name,
    apply(trainer) {
      trainer.hooks.beforeTrain.tapPromise(name, async () => {
        reference = await StableDiffusionXLPipeline.fromPretrained(sdxlTinyFixture());
        seen.frozenTensors = [reference.vae, reference.textEncoder!, reference.textEncoder2!].reduce((n, model) => n + model.namedParameters().length, 0);
        if (options.withEma) emaUnet = await UNet2DConditionModel.fromPretrained(sdxlTinyFixture(), { subfolder: 'unet', trainable: false });
      });
      trainer.hooks.validate.tap({ name, stage: Stage.PRE }, () => {
        before = { tensors: tf.memory().numTensors, weights: unetWeights(trainer.models.get('unet')!) };
      });
      trainer.hooks.validate.tapPromise({ name, stage: Stage.POST }, async ({ step }) => {
        const tensorsAfter = tf.memory().numTensors;
        const live = trainer.models.get('unet')!;
        const weightsAfter = unetWeights(live);
        if (!options.withEma) {
          seen.observed.push({ step, tensorsBefore: before!.tensors, tensorsAfter, weightsBefore: before!.weights, weightsAfter, expected: await draw(live) });
          return;
        }
        // the EMA weights, copied into a second UNet by hand (not through the plugin's store / copy_to / restore)
        const shadows = trainer.container.resolve(EmaWeights).shadowParams;
        for (const [parameter, p] of emaUnet!.namedParameters()) p.value.assign(shadows.get(parameter)!);
        const emaEqualsLive = sameWeights(unetWeights(emaUnet!), weightsAfter);
        seen.observed.push({ step, tensorsBefore: before!.tensors, tensorsAfter, weightsBefore: before!.weights, weightsAfter, expected: await draw(emaUnet!), live: await draw(live), emaEqualsLive });
      });
      trainer.hooks.shutdown.tap({ name, stage: Stage.POST }, () => {
        reference?.dispose();
        emaUnet?.dispose();
      });
    },
  };
}

/** A run of two optimizer steps with validation after each epoch; returns the validation events and log lines. */
async function run(outputDir: string, plugins: TrainerPlugin[], seed: number) {
  const events: { step: number; images: readonly ValidationImage[] }[] = [];
  const logs: string[] = [];
  const trainer = new Trainer({
    backend: testBackend(),
    seed,
    outputDir,
    trainBatchSize: 2,
    maxTrainSteps: 2,
    validationEpochs: 1,
    checkpointingSteps: null,
    // why: a large learning rate, so two steps change the images visibly (the checks below compare them).
    learningRate: 1e-2,
    lrWarmupSteps: 0,
    plugins: [sdxlUnet({ pretrainedModel: sdxlTinyFixture() }), samplesPlugin(tinySamples(2, 8, 3)), ...plugins],
  });
  trainer.events$.subscribe((event) => {
    if (event.type === 'validation:images') events.push({ step: event.step, images: event.images });
    if (event.type === 'log') logs.push(event.message);
  });
  const tensorsBefore = tf.memory().numTensors;
  const started = performance.now();
  const summary = await trainer.run();
  return { summary, events, logs, seconds: (performance.now() - started) / 1000, leaked: tf.memory().numTensors - tensorsBefore };
}

function differs(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.some((image, i) => image.some((v, j) => v !== b[i]![j]));
}

describe('validation during a real sdxl-tiny training run (sdxl-unet)', () => {
  it(
    'renders on the live UNet, writes PNGs and events, leaves the UNet untouched, and renders the final test from the saved folder',
    async () => {
      const outputDir = join(work, 'plain');
      const seen: { observed: Observed[]; frozenTensors?: number } = { observed: [] };
      const options = { prompt: PROMPT, numImages: 2, numInferenceSteps: STEPS, resolution: RESOLUTION };
      const { summary, events, logs, seconds, leaked } = await run(outputDir, [validation(options), probe({ seed: 11, numImages: 2, withEma: false }, seen)], 11);
      console.log('validation run', { seconds, logs: logs.filter((line) => /validation|final test/.test(line)) });
      expect(summary.status).toBe('completed');

      // one event per validation, one for the final test; tags and captions as the script's W&B images
      expect(events.map((e) => [e.step, e.images.map((image) => image.tag)])).toEqual([
        [1, ['validation/0', 'validation/1']],
        [2, ['validation/0', 'validation/1']],
        [2, ['test/0', 'test/1']],
      ]);
      for (const { images } of events) {
        for (const [i, image] of images.entries()) {
          expect(image).toMatchObject({ width: RESOLUTION, height: RESOLUTION, caption: `${i}: ${PROMPT}` });
          expect(image.data.length).toBe(RESOLUTION * RESOLUTION * 3);
        }
      }

      // the PNGs, 32 × 32, under <outputDir>/validation
      for (const folder of ['step-1', 'step-2', 'final']) {
        for (const i of [0, 1]) expect(await pngSize(join(outputDir, 'validation', folder, `${i}.png`))).toEqual({ width: RESOLUTION, height: RESOLUTION });
      }

      const [first, second] = seen.observed;
      expect(seen.observed.map((o) => o.step)).toEqual([1, 2]);
      for (const [k, observed] of seen.observed.entries()) {
        // byte-equal to an independent pipeline on the same weights with seeds seed + i (the run seed, 11)
        expect(events[k]!.images.map((image) => image.data)).toEqual(observed.expected);
        // the UNet is back as it was: same names, bit-identical values
        expect(sameWeights(observed.weightsBefore, observed.weightsAfter)).toBe(true);
      }
      // the images follow the training: step 2's weights give other images than step 1's
      expect(sameWeights(first!.weightsAfter, second!.weightsAfter)).toBe(false);
      expect(differs(first!.expected, second!.expected)).toBe(true);

      // memory: the first validation keeps the frozen models (their weight tensors, nothing else); the second adds nothing
      expect(first!.tensorsAfter - first!.tensorsBefore).toBe(seen.frozenTensors);
      expect(second!.tensorsAfter - second!.tensorsBefore).toBe(0);
      expect(leaked).toBe(0);

      // the final test loads the saved folder and reproduces step 2's images: the saved UNet is the trained one
      expect(existsSync(join(outputDir, 'model_index.json'))).toBe(true);
      expect(events[2]!.images.map((image) => image.data)).toEqual(events[1]!.images.map((image) => image.data));
      expect(logs.some((line) => new RegExp(`^validation at step 2: 2 images of 32×32 in [0-9.]+ s → ${join(outputDir, 'validation', 'step-2')}$`).test(line))).toBe(true);
      expect(logs.some((line) => line.startsWith(`final test from ${outputDir}: rendering 2 images of "${PROMPT}" (2 steps, guidance 5, seeds 11…12)`))).toBe(true);
    },
    RUN_TIMEOUT,
  );

  it(
    'with the EMA plugin: renders on the EMA weights, restores the training weights, frees components when asked, and the final test shows the EMA weights',
    async () => {
      const outputDir = join(work, 'ema');
      const imagesDir = join(work, 'ema-images');
      const seen: { observed: Observed[]; frozenTensors?: number } = { observed: [] };
      const options = { prompt: PROMPT, numImages: 1, numInferenceSteps: STEPS, resolution: RESOLUTION, seed: 1234, imagesDir, keepComponentsLoaded: false };
      const { summary, events, logs, seconds, leaked } = await run(outputDir, [ema(), validation(options), probe({ seed: 1234, numImages: 1, withEma: true }, seen)], 5);
      console.log('validation run with EMA', { seconds, logs: logs.filter((line) => /validation|final test|EMA/.test(line)) });
      expect(summary.status).toBe('completed');
      expect(events.map((e) => [e.step, e.images.map((image) => image.tag)])).toEqual([
        [1, ['validation/0']],
        [2, ['validation/0']],
        [2, ['test/0']],
      ]);
      for (const folder of ['step-1', 'step-2', 'final']) expect(await pngSize(join(imagesDir, folder, '0.png'))).toEqual({ width: RESOLUTION, height: RESOLUTION });
      expect(existsSync(join(outputDir, 'validation'))).toBe(false);

      for (const [k, observed] of seen.observed.entries()) {
        // the images are the EMA weights' (copied into a second UNet by hand), with seed 1234
        expect(events[k]!.images.map((image) => image.data)).toEqual(observed.expected);
        // the training weights are restored bit for bit, and no component stays loaded
        expect(sameWeights(observed.weightsBefore, observed.weightsAfter)).toBe(true);
        expect(observed.tensorsAfter - observed.tensorsBefore).toBe(0);
      }
      // after step 2 the EMA weights are not the live ones (decay 2/11), and the live weights would have given other images
      const second = seen.observed[1]!;
      expect(second.emaEqualsLive).toBe(false);
      expect(differs(second.expected, second.live!)).toBe(true);
      expect(leaked).toBe(0);

      // the EMA weights are what was saved (the script's copy_to before save_pretrained): the final test equals step 2's validation
      expect(events[2]!.images[0]!.data).toEqual(events[1]!.images[0]!.data);
    },
    RUN_TIMEOUT,
  );
});
