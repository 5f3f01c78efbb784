import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import type { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { registerCpuKernels, setTestBackend } from '@sdxl-trainer/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot, maxErrorNchw, openReference, readInt32, readNhwc, readReference } from '../testing/fixture.js';
import { UNet2DConditionModel } from './UNet2DConditionModel.js';

// PyTorch reference: reference/README.md §h, one training step of the UNet (train mode, no dropout in this config),
// loss = F.mse_loss(model_pred, noise). Tolerances: model_pred 1e-4 absolute; loss 1e-5 relative; gradients of the
// watched parameters |ours − torch| ≤ 1e-6 + 1e-3·|torch| (the fixture's atol 1e-6 / rtol 1e-3), compared in
// PyTorch layout; the global gradient norm 1e-4 relative.
const PRED_TOLERANCE = 1e-4;
const GRAD_ATOL = 1e-6;
const GRAD_RTOL = 1e-3;
const WATCHED = [
  'down_blocks.1.resnets.0.conv1.weight',
  'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight',
  'time_embedding.linear_1.weight',
  'add_embedding.linear_1.weight',
];

let reference: SafetensorsReader;
let unet: UNet2DConditionModel;
beforeAll(async () => {
  await setTestBackend();
  // why: the stock cpu Conv2DBackpropFilter is ~85× slower than the forward conv (research/backend.md §1).
  registerCpuKernels();
  reference = await openReference('train_step.safetensors');
  unet = await UNet2DConditionModel.fromPretrained(fixtureRoot(), { subfolder: 'unet' });
});
afterAll(async () => {
  await reference.close();
  unet.dispose();
});

interface StepResult {
  readonly loss: number;
  readonly pred: tf.Tensor4D;
  /** Gradients in PyTorch layout by parameter name. */
  readonly grads: Map<string, Float32Array>;
}

async function step(): Promise<StepResult> {
  const tensor = async (name: string) => {
    const { shape, data } = await readReference(reference, name);
    return tf.tensor(data, shape);
  };
  const noisy = await readNhwc(reference, 'noisy_model_input');
  const noise = await readNhwc(reference, 'noise');
  const timesteps = await readInt32(reference, 'timesteps');
  const context = (await tensor('prompt_embeds')) as tf.Tensor3D;
  const added = { textEmbeds: (await tensor('pooled_prompt_embeds')) as tf.Tensor2D, timeIds: (await tensor('add_time_ids')) as tf.Tensor2D };
  const parameters = unet.namedParameters();
  let pred: tf.Tensor4D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = unet.forward(noisy, timesteps, context, added);
    pred = tf.keep(out);
    return tf.mean(tf.square(tf.sub(out, noise))) as tf.Scalar;
  }, parameters.map(([, p]) => p.value));
  const result = new Map<string, Float32Array>();
  for (const [name, parameter] of parameters) {
    const grad = grads[parameter.value.name]!;
    result.set(name, parameter.layout.toPyTorch((await grad.data()) as Float32Array, parameter.shape));
  }
  const loss = (await value.data())[0]!;
  tf.dispose([value, ...Object.values(grads), noisy, noise, timesteps, context, added.textEmbeds, added.timeIds]);
  return { loss, pred: pred!, grads: result };
}

let plain: StepResult;

describe('one training step of the UNet against PyTorch (sdxl-tiny, train_step.safetensors)', () => {
  it('model_pred, loss, the watched gradients and the global gradient norm match', async () => {
    plain = await step();
    const predError = await maxErrorNchw(plain.pred, reference, 'model_pred');
    const torchLoss = (await reference.readFloat32('loss'))[0]!;
    let squares = 0;
    for (const grad of plain.grads.values()) for (const g of grad) squares += g * g;
    const norm = Math.sqrt(squares);
    const torchNorm = (await reference.readFloat32('grad_global_norm'))[0]!;
    const gradErrors: Record<string, { maxAbs: number; worstRatio: number }> = {};
    for (const name of WATCHED) {
      const expected = await reference.readFloat32(`grad.${name}`);
      const actual = plain.grads.get(name)!;
      let maxAbs = 0;
      let worstRatio = 0;
      for (let i = 0; i < expected.length; i++) {
        const diff = Math.abs(actual[i]! - expected[i]!);
        maxAbs = Math.max(maxAbs, diff);
        worstRatio = Math.max(worstRatio, diff / (GRAD_ATOL + GRAD_RTOL * Math.abs(expected[i]!)));
      }
      gradErrors[name] = { maxAbs, worstRatio };
    }
    console.log('train step', { predError, loss: plain.loss, torchLoss, norm, torchNorm, gradErrors });
    expect(predError).toBeLessThanOrEqual(PRED_TOLERANCE);
    expect(torchLoss).toBeCloseTo(1.1266295909881592, 7);
    expect(Math.abs(plain.loss - torchLoss) / torchLoss).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(norm - torchNorm) / torchNorm).toBeLessThanOrEqual(1e-4);
    for (const [name, { worstRatio }] of Object.entries(gradErrors)) expect(worstRatio, name).toBeLessThanOrEqual(1);
  });
});
