import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadSafetensors, type TensorData } from '@sdxl-trainer/safetensors';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './AdamW.js';
import { clipGradNorm } from './clipGradNorm.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

// PyTorch reference: one torch.optim.AdamW step of the sdxl-tiny UNet (reference/README.md §h), with and
// without clip_grad_norm_(max_norm=1). The gradients are PyTorch's; this checks our optimizer and clipping alone.
const root = sdxlTinyFixture();

const WATCHED = [
  'down_blocks.1.resnets.0.conv1.weight',
  'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight',
  'time_embedding.linear_1.weight',
  'add_embedding.linear_1.weight',
];
const GLOBAL_NORM = 1.7763279676437378; // ‖∇‖ over all 1,976,516 UNet parameters (values.json)
const settings = { beta1: 0.9, beta2: 0.999, weightDecay: 0.01, epsilon: 1e-8 };
const LR = 1e-4;

let reference: Record<string, TensorData>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  reference = await loadSafetensors(`${root}/reference/train_step.safetensors`);
});

const tensor = (name: string) => tf.tensor(reference[name]!.data as Float32Array, [...reference[name]!.shape]);

/** Largest |(ours − before) − (torch − before)|: the update, which is ~lr per element (README's suggested check). */
function maxUpdateError(name: string, ours: Float32Array, expectedKey: string): number {
  const before = reference[`param_before.${name}`]!.data as Float32Array;
  const after = reference[expectedKey]!.data as Float32Array;
  let max = 0;
  for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - before[i]! - (after[i]! - before[i]!)));
  return max;
}

describe('AdamW and clipping against PyTorch (sdxl-tiny train_step)', () => {
  it('one AdamW step on the unclipped gradients matches torch.optim.AdamW (update error < 1e-6)', () => {
    const variables = new Map(WATCHED.map((name) => [name, tf.variable(tensor(`param_before.${name}`))]));
    const optimizer = new AdamW(variables, settings);
    tf.tidy(() => optimizer.step(new Map(WATCHED.map((name) => [name, tensor(`grad.${name}`)])), LR));
    for (const name of WATCHED) {
      expect(maxUpdateError(name, variables.get(name)!.dataSync() as Float32Array, `param_after_adamw.${name}`), name).toBeLessThan(1e-6);
    }
    optimizer.dispose();
  });

  it('clip_grad_norm_(1.0) then AdamW matches PyTorch (coefficient to 1e-6, update error < 1e-6)', () => {
    const grads = new Map(WATCHED.map((name) => [name, tensor(`grad.${name}`)]));
    // why: the fixture holds 4 of the UNet's gradients; one extra tensor carries the rest of the global norm.
    const watchedSquares = WATCHED.reduce((sum, name) => sum + (reference[`grad.${name}`]!.data as Float32Array).reduce((s, g) => s + g * g, 0), 0);
    grads.set('rest', tf.tensor1d([Math.sqrt(GLOBAL_NORM ** 2 - watchedSquares)]));
    const variables = new Map(WATCHED.map((name) => [name, tf.variable(tensor(`param_before.${name}`))]));
    const optimizer = new AdamW(variables, settings);
    tf.tidy(() => {
      const { gradients, norm } = clipGradNorm(grads, 1.0);
      expect(norm.dataSync()[0]).toBeCloseTo(GLOBAL_NORM, 5);
      const coef = gradients.get('rest')!.dataSync()[0]! / grads.get('rest')!.dataSync()[0]!;
      expect(Math.abs(coef - 0.5629587769508362)).toBeLessThan(1e-6);
      gradients.delete('rest');
      optimizer.step(gradients, LR);
    });
    for (const name of WATCHED) {
      expect(maxUpdateError(name, variables.get(name)!.dataSync() as Float32Array, `param_after_clip_adamw.${name}`), name).toBeLessThan(1e-6);
    }
    optimizer.dispose();
  });
});
