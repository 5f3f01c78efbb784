import * as tf from '@tensorflow/tfjs-core';

/**
 * Sums micro-batch gradients across tf.tidy scopes. Each micro-batch's gradient is divided by the number
 * of accumulation steps first, as accelerate's `backward` divides the loss, so a short window at the end of
 * an epoch is scaled the same way diffusers scales it.
 */
export class GradientAccumulator {
  #sums = new Map<string, tf.Tensor>();

  constructor(private readonly accumulationSteps: number) {}

  /** Add one micro-batch's gradients (call inside tf.tidy; the sums survive it). */
  add(gradients: ReadonlyMap<string, tf.Tensor>): void {
    const scale = tf.scalar(1 / this.accumulationSteps);
    for (const [name, gradient] of gradients) {
      const previous = this.#sums.get(name);
      const scaled = tf.mul(gradient, scale);
      const next = tf.keep(previous ? tf.add(previous, scaled) : scaled);
      previous?.dispose();
      this.#sums.set(name, next);
    }
  }

  /** The summed gradients so far. */
  get gradients(): ReadonlyMap<string, tf.Tensor> {
    return this.#sums;
  }

  /** Free the sums and start a new window. */
  reset(): void {
    for (const tensor of this.#sums.values()) tensor.dispose();
    this.#sums = new Map();
  }
}
