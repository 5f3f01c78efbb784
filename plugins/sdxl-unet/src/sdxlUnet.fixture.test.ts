import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage, Trainer, type TrainerPlugin } from '@sdxl-trainer/core';
import { AutoencoderKL, CLIPTextModel, CLIPTextModelWithProjection, UNet2DConditionModel } from '@sdxl-trainer/models';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { DDPMScheduler, EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import { getSdxlHooks } from '@sdxl-trainer/sdxl';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sdxlUnet from './index.js';
import { fakeCheckpointingPlugin, readTrainStepReference, referenceStepPlugin, WATCHED, type TrainStepReference } from './testing/trainStepFixture.js';

// PyTorch reference: shared/fixtures/sdxl-tiny/reference/README.md §h — one training step of the UNet with the given
// noise and timesteps, loss = F.mse_loss(model_pred, target), then clip_grad_norm_(1.0) and one torch AdamW step
// (lr 1e-4, betas (0.9, 0.999), weight decay 1e-2, eps 1e-8): the trainer's defaults. Tolerances from the fixture's
// README: loss 1e-5 relative; parameters compared by their update (after − before) in PyTorch layout, 1e-6 absolute.
const LOSS_RTOL = 1e-5;
const UPDATE_ATOL = 1e-6;
const RUN_TIMEOUT = 900_000;

const FROZEN_FILES = [
  'text_encoder/config.json',
  'text_encoder/model.safetensors',
  'text_encoder_2/config.json',
  'text_encoder_2/model.safetensors',
  'vae/config.json',
  'vae/diffusion_pytorch_model.safetensors',
  'scheduler/scheduler_config.json',
  ...['tokenizer', 'tokenizer_2'].flatMap((t) => ['merges.txt', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.json'].map((f) => `${t}/${f}`)),
];

let ref: TrainStepReference;
let work: string;
beforeAll(async () => {
  ref = await readTrainStepReference();
  work = await mkdtemp(join(tmpdir(), 'sdxl-unet-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Records every micro-batch's per-sample losses, and the context the SDXL conditioning hook receives (changing neither). */
function recorder(into: { indices: number[]; losses: number[] }[], conditioningSteps: { step: number; microStep: number }[]): TrainerPlugin {
  const name = 'test:recorder';
  return {
    name,
    apply(trainer) {
      trainer.hooks.computeLossWeights.tap({ name, stage: Stage.REPORT }, (weights, { batch, perSampleLoss }) => {
        into.push({ indices: [...batch.indices], losses: [...perSampleLoss.dataSync()] });
        return weights;
      });
      getSdxlHooks(trainer).conditioning.tap(name, (conditioning, { step, microStep }) => {
        conditioningSteps.push({ step, microStep });
        return conditioning;
      });
    },
  };
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('sdxl-unet: one training step through the trainer against PyTorch (sdxl-tiny train_step.safetensors)', () => {
  it(
    'epsilon: the loss, the watched parameters after clipping + AdamW, the saved pipeline and the checkpoint unet/',
    async () => {
      const outputDir = join(work, 'epsilon');
      const checkpoints = join(work, 'checkpoints');
      const recorded: { indices: number[]; losses: number[] }[] = [];
      const conditioningSteps: { step: number; microStep: number }[] = [];
      const trainer = new Trainer({
        backend: 'cpu',
        seed: 0,
        trainBatchSize: 2,
        maxTrainSteps: 1,
        checkpointingSteps: 1,
        outputDir,
        plugins: [sdxlUnet({ pretrainedModel: sdxlTinyFixture() }), referenceStepPlugin(ref), recorder(recorded, conditioningSteps), fakeCheckpointingPlugin(checkpoints)],
      });
      const summary = await trainer.run();
      expect(summary.status).toBe('completed');
      expect(conditioningSteps).toEqual([{ step: 1, microStep: 0 }]);

      // the loss of the step
      const loss = summary.lastLoss!;
      const lossError = relativeError(loss, ref.values.loss);
      // Min-SNR(γ=5) with the reference's per-sample weights, from the per-sample losses the trainer computed
      const [micro] = recorded;
      const minSnrLoss = micro!.losses.reduce((sum, l, i) => sum + l * ref.values.minsnr_weights_epsilon[micro!.indices[i]!]!, 0) / micro!.losses.length;
      const minSnrError = relativeError(minSnrLoss, ref.values.loss_minsnr5_epsilon);

      // the parameters after the step, read back from the saved unet/ (PyTorch layout)
      const saved = await loadSafetensors(join(outputDir, 'unet', 'diffusion_pytorch_model.safetensors'));
      const source = await loadSafetensors(sdxlTinyFixture('unet', 'diffusion_pytorch_model.safetensors'));
      const updateErrors: Record<string, number> = {};
      for (const name of WATCHED) {
        const before = ref.tensors[`param_before.${name}`]!.data;
        const expected = ref.tensors[`param_after_clip_adamw.${name}`]!.data;
        const actual = saved[name]!.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - before[i]! - (expected[i]! - before[i]!)));
        updateErrors[name] = worst;
      }
      console.log('sdxl-unet epsilon step', { loss, torchLoss: ref.values.loss, lossError, minSnrLoss, minSnrError, updateErrors });
      expect(lossError).toBeLessThanOrEqual(LOSS_RTOL);
      expect(minSnrError).toBeLessThanOrEqual(LOSS_RTOL);
      for (const name of WATCHED) expect(updateErrors[name], name).toBeLessThanOrEqual(UPDATE_ATOL);

      // every UNet tensor moved (weight decay alone moves every non-zero weight); names and shapes are the source's
      expect(Object.keys(saved).sort()).toEqual(Object.keys(source).sort());
      const unchanged = Object.keys(source).filter((name) => {
        const a = saved[name]!.data as Float32Array;
        const b = source[name]!.data as Float32Array;
        return a.every((v, i) => v === b[i]);
      });
      expect(unchanged).toEqual([]);

      // the frozen components are the source's files, byte for byte; model_index.json and unet/config.json match diffusers'
      for (const file of FROZEN_FILES) expect(Buffer.compare(await readFile(join(outputDir, file)), await readFile(sdxlTinyFixture(file))), file).toBe(0);
      expect(JSON.parse(await readFile(join(outputDir, 'model_index.json'), 'utf8'))).toEqual(JSON.parse(await readFile(sdxlTinyFixture('model_index.json'), 'utf8')));
      expect(JSON.parse(await readFile(join(outputDir, 'unet', 'config.json'), 'utf8'))).toEqual(JSON.parse(await readFile(sdxlTinyFixture('unet', 'config.json'), 'utf8')));
      expect((await readdir(outputDir)).sort()).toEqual(['model_index.json', 'scheduler', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'unet', 'vae']);

      // the saved folder loads again with the loaders the pipeline uses
      const unet = await UNet2DConditionModel.fromPretrained(outputDir, { subfolder: 'unet', trainable: false });
      const vae = await AutoencoderKL.fromPretrained(outputDir, { subfolder: 'vae' });
      const te1 = await CLIPTextModel.fromPretrained(outputDir, { subfolder: 'text_encoder' });
      const te2 = await CLIPTextModelWithProjection.fromPretrained(outputDir, { subfolder: 'text_encoder_2' });
      const euler = await EulerDiscreteScheduler.fromPretrained(outputDir, { subfolder: 'scheduler' });
      expect(unet.parameterCount()).toBe(1976516);
      expect(euler.predictionType).toBe('epsilon');
      for (const model of [unet, vae, te1, te2]) model.dispose();

      // the checkpoint got the same unet/ as the script's save_model_hook writes (one step: the final weights)
      const checkpointUnet = await loadSafetensors(join(checkpoints, 'checkpoint-1', 'unet', 'diffusion_pytorch_model.safetensors'));
      for (const name of Object.keys(saved)) expect((checkpointUnet[name]!.data as Float32Array).every((v, i) => v === (saved[name]!.data as Float32Array)[i]), name).toBe(true);
    },
    RUN_TIMEOUT,
  );

  it(
    'v_prediction: the loss against the velocity target, and prediction_type in the saved scheduler config',
    async () => {
      const outputDir = join(work, 'v');
      const trainer = new Trainer({
        backend: 'cpu',
        seed: 0,
        trainBatchSize: 2,
        maxTrainSteps: 1,
        outputDir,
        plugins: [sdxlUnet({ pretrainedModel: sdxlTinyFixture(), predictionType: 'v_prediction' }), referenceStepPlugin(ref)],
      });
      const summary = await trainer.run();
      const lossError = relativeError(summary.lastLoss!, ref.values.loss_v_prediction_target);
      console.log('sdxl-unet v_prediction step', { loss: summary.lastLoss, torchLoss: ref.values.loss_v_prediction_target, lossError });
      expect(lossError).toBeLessThanOrEqual(LOSS_RTOL);

      const scheduler = JSON.parse(await readFile(join(outputDir, 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
      const source = JSON.parse(await readFile(sdxlTinyFixture('scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
      expect(scheduler).toEqual({ ...source, prediction_type: 'v_prediction' });
      expect((await DDPMScheduler.fromPretrained(outputDir, { subfolder: 'scheduler' })).predictionType).toBe('v_prediction');
    },
    RUN_TIMEOUT,
  );
});
