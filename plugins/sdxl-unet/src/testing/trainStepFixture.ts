// Test helpers: the PyTorch training step of shared/fixtures/sdxl-tiny (reference/README.md §h) as trainer plugins.
// Not part of the package build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ArrayDataset, Stage, type CheckpointContext, type Sample, type TrainerPlugin } from '@sdxl-trainer/core';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { SdxlSampleKey } from '@sdxl-trainer/sdxl';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

/** The four parameters the fixture watches through the AdamW step. */
export const WATCHED = [
  'down_blocks.1.resnets.0.conv1.weight',
  'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight',
  'time_embedding.linear_1.weight',
  'add_embedding.linear_1.weight',
] as const;

/** One reference tensor: float32 values (int64 read as numbers) and its PyTorch shape. */
export interface ReferenceTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Everything of train_step.safetensors and values.json["train_step"] a test needs. */
export interface TrainStepReference {
  readonly tensors: Readonly<Record<string, ReferenceTensor>>;
  readonly values: {
    readonly loss: number;
    readonly loss_v_prediction_target: number;
    readonly loss_minsnr5_epsilon: number;
    readonly minsnr_weights_epsilon: readonly number[];
    readonly original_sizes: readonly (readonly [number, number])[];
    readonly crop_top_lefts: readonly (readonly [number, number])[];
    readonly target_size: readonly [number, number];
  };
}

/** Reads reference/train_step.safetensors and its values (throws when the fixture is missing). */
export async function readTrainStepReference(): Promise<TrainStepReference> {
  const raw = await loadSafetensors(sdxlTinyFixture('reference', 'train_step.safetensors'));
  const tensors = Object.fromEntries(
    Object.entries(raw).map(([name, { data, shape }]) => [name, { data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number | bigint>, Number), shape }]),
  );
  const values = (JSON.parse(readFileSync(sdxlTinyFixture('reference', 'values.json'), 'utf8')) as { train_step: TrainStepReference['values'] }).train_step;
  return { tensors, values };
}

/** Sample `index` of an NCHW batch as an NHWC host tensor. */
export function nhwcSample(tensor: ReferenceTensor, index: number): { data: Float32Array; shape: number[] } {
  const [, c, h, w] = tensor.shape as [number, number, number, number];
  const out = new Float32Array(h * w * c);
  const base = index * c * h * w;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = tensor.data[base + (k * h + y) * w + x]!;
  return { data: out, shape: [h, w, c] };
}

/** Row `index` of a batch-first tensor as a host tensor. */
function row(tensor: ReferenceTensor, index: number): { data: Float32Array; shape: number[] } {
  const shape = tensor.shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: tensor.data.slice(index * size, (index + 1) * size), shape };
}

/** The two precomputed SDXL samples of the reference step, as the SDXL data plugins would provide them. */
export function referenceSamples(ref: TrainStepReference): Sample[] {
  return [0, 1].map((i) => ({
    [SdxlSampleKey.modelInput]: nhwcSample(ref.tensors.model_input!, i),
    [SdxlSampleKey.promptEmbeds]: row(ref.tensors.prompt_embeds!, i),
    [SdxlSampleKey.pooledPromptEmbeds]: row(ref.tensors.pooled_prompt_embeds!, i),
    [SdxlSampleKey.originalSize]: [...ref.values.original_sizes[i]!],
    [SdxlSampleKey.cropTopLeft]: [...ref.values.crop_top_lefts[i]!],
    [SdxlSampleKey.targetSize]: [...ref.values.target_size],
  }));
}

/** Provides {@link referenceSamples} and replaces the run's noise and timesteps with the reference's, per sample index. */
export function referenceStepPlugin(ref: TrainStepReference): TrainerPlugin {
  const name = 'test:reference-step';
  const noise = [0, 1].map((i) => nhwcSample(ref.tensors.noise!, i));
  const timesteps = ref.tensors.timesteps!.data;
  return {
    name,
    apply(trainer) {
      trainer.hooks.prepareDataset.tap(name, () => new ArrayDataset(referenceSamples(ref)));
      trainer.hooks.sampleNoise.tap({ name, stage: Stage.PROVIDE }, (_noise, { batch }) =>
        tf.stack(batch.indices.map((i) => tf.tensor(noise[i]!.data, noise[i]!.shape))),
      );
      trainer.hooks.sampleTimesteps.tap({ name, stage: Stage.PROVIDE }, (_sampler, { batch }) => ({
        name: 'reference',
        sample: () => Int32Array.from(batch.indices, (i) => timesteps[i]!),
      }));
    },
  };
}

/** Stands in for the checkpointing plugin: its DI token with `addWriter`, and a saveState tap that runs the writers. */
export function fakeCheckpointingPlugin(folder: string): TrainerPlugin {
  const name = 'test:fake-checkpointing';
  const writers: { name: string; write(folder: string, context: CheckpointContext): Promise<void> }[] = [];
  return {
    name,
    apply(trainer) {
      trainer.hooks.environment.tap(name, () => {
        trainer.container.register(Symbol.for('@sdxl-trainer/plugin-checkpointing:Checkpointing'), { useValue: { addWriter: (writer: (typeof writers)[number]) => void writers.push(writer) } });
      });
      trainer.hooks.saveState.tapPromise(name, async (context) => {
        for (const writer of writers) await writer.write(join(folder, `checkpoint-${context.step}`), context);
      });
    },
  };
}
