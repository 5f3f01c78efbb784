import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { NamedTensors, Optimizer, OptimizerFactory, OptimizerSettings, OptimizerState } from './Optimizer.js';

/**
 * AdamW with torch.optim.AdamW's exact update (torch 1.13 `_single_tensor_adamw`, also what diffusers'
 * SDXL script uses): decoupled weight decay `p ← p·(1 − lr·λ)`, then `m ← β1·m + (1−β1)·g`,
 * `v ← β2·v + (1−β2)·g²`, and `p ← p − (lr / (1−β1^k)) · m / (sqrt(v) / sqrt(1−β2^k) + ε)`.
 * Note ε is added after dividing sqrt(v) by the bias correction, as torch does.
 * Variables without a gradient in a step are left alone (no decay), as torch skips `p.grad is None`.
 */
export class AdamW implements Optimizer {
  readonly name = 'adamw';
  #step = 0;
  readonly #expAvg = new Map<string, tf.Variable>();
  readonly #expAvgSq = new Map<string, tf.Variable>();

  constructor(
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    private readonly settings: OptimizerSettings,
  ) {
    const { beta1, beta2, epsilon, weightDecay } = settings;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon >= 0) || !(weightDecay >= 0)) {
      throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `AdamW needs 0 <= beta1, beta2 < 1 and epsilon, weightDecay >= 0; got ${JSON.stringify(settings)}`);
    }
    // why: tf.variable shares its initial tensor's data and leaves that tensor alive; tidy frees the zeros.
    tf.tidy(() => {
      for (const [name, variable] of variables) {
        this.#expAvg.set(name, tf.variable(tf.zerosLike(variable), false, `adamw/exp_avg/${name}/${uniqueId()}`));
        this.#expAvgSq.set(name, tf.variable(tf.zerosLike(variable), false, `adamw/exp_avg_sq/${name}/${uniqueId()}`));
      }
    });
  }

  step(gradients: NamedTensors, lr: number): void {
    for (const name of gradients.keys()) {
      if (!this.variables.has(name)) throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `gradient for "${name}", which is not a trained variable`);
    }
    this.#step += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    // why: the scalar factors are computed in float64 like torch's Python floats, then used as float32 scalars.
    const stepSize = lr / (1 - beta1 ** this.#step);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** this.#step);
    tf.tidy(() => {
      const decay = tf.scalar(1 - lr * weightDecay);
      const b1 = tf.scalar(beta1);
      const oneMinusB1 = tf.scalar(1 - beta1);
      const b2 = tf.scalar(beta2);
      const oneMinusB2 = tf.scalar(1 - beta2);
      const bc2 = tf.scalar(biasCorrection2Sqrt);
      const eps = tf.scalar(epsilon);
      const negStep = tf.scalar(-stepSize);
      for (const [name, param] of this.variables) {
        const grad = gradients.get(name);
        if (!grad) continue;
        const expAvg = this.#expAvg.get(name)!;
        const expAvgSq = this.#expAvgSq.get(name)!;
        const m = tf.add(tf.mul(expAvg, b1), tf.mul(grad, oneMinusB1));
        const v = tf.add(tf.mul(expAvgSq, b2), tf.mul(tf.mul(oneMinusB2, grad), grad));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2), eps);
        const decayed = weightDecay === 0 ? param : tf.mul(param, decay);
        param.assign(tf.add(decayed, tf.mul(tf.div(m, denom), negStep)));
        expAvg.assign(m);
        expAvgSq.assign(v);
      }
    });
  }

  stateDict(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, t] of this.#expAvg) tensors[`exp_avg.${name}`] = t;
    for (const [name, t] of this.#expAvgSq) tensors[`exp_avg_sq.${name}`] = t;
    return { step: this.#step, tensors };
  }

  loadStateDict(state: OptimizerState): void {
    for (const [prefix, slots] of [['exp_avg', this.#expAvg], ['exp_avg_sq', this.#expAvgSq]] as const) {
      for (const [name, slot] of slots) {
        const saved = state.tensors[`${prefix}.${name}`];
        if (!saved) throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `optimizer state has no "${prefix}.${name}"`);
        if (saved.shape.join() !== slot.shape.join()) {
          throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `optimizer state "${prefix}.${name}" has shape [${saved.shape}], expected [${slot.shape}]`);
        }
        slot.assign(saved);
      }
    }
    this.#step = state.step;
  }

  dispose(): void {
    for (const t of [...this.#expAvg.values(), ...this.#expAvgSq.values()]) t.dispose();
    this.#expAvg.clear();
    this.#expAvgSq.clear();
  }
}

/** The default optimizer factory: {@link AdamW}. */
export const adamWFactory: OptimizerFactory = {
  name: 'adamw',
  create: (variables, settings) => new AdamW(variables, settings),
};

let counter = 0;
// why: tfjs variable names are global to the engine; two runs in one process must not collide.
function uniqueId(): number {
  return ++counter;
}
