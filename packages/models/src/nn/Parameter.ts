import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { RandomSource } from '../random/RandomSource.js';
import { sampleInit, type Init } from './Init.js';
import { identityLayout, type ParameterLayout } from './ParameterLayout.js';

/** Options of a {@link Parameter}. */
export interface ParameterOptions {
  /** Compute layout (default: identity). */
  readonly layout?: ParameterLayout;
  /** How {@link Parameter.initialize} fills it. */
  readonly init: Init;
}

/**
 * One named weight of a model. It always knows its PyTorch shape, its compute layout and its initialiser, so a model
 * can be described from its config alone ("meta"); the tf.Variable exists only once the weight is loaded or initialised.
 */
export class Parameter {
  /** Shape in PyTorch layout (what checkpoints hold). */
  readonly shape: readonly number[];
  /** Shape of the tf.Variable. */
  readonly computeShape: readonly number[];
  readonly layout: ParameterLayout;
  readonly init: Init;
  #trainable = true;
  #variable: tf.Variable | null = null;
  #bound: tf.Tensor | null = null;

  constructor(shape: readonly number[], options: ParameterOptions) {
    if (!shape.every((size) => Number.isInteger(size) && size > 0)) throw new RangeError(`parameter shape must hold positive integers, got [${shape.join(', ')}]`);
    this.shape = Object.freeze([...shape]);
    this.layout = options.layout ?? identityLayout;
    this.computeShape = Object.freeze(this.layout.computeShape(shape));
    this.init = options.init;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((product, size) => product * size, 1);
  }

  /** True once the weight exists as a tf.Variable. */
  get isMaterialized(): boolean {
    return this.#variable !== null;
  }

  /** Whether optimisers see this weight (tf.Variable.trainable). */
  get trainable(): boolean {
    return this.#trainable;
  }

  set trainable(value: boolean) {
    this.#trainable = value;
    if (this.#variable !== null) this.#variable.trainable = value;
  }

  /** The tf.Variable in compute layout; throws MODEL_NOT_MATERIALIZED for a shape-only parameter. */
  get value(): tf.Variable {
    if (this.#variable === null) {
      throw new SdxlError(
        ErrorCode.MODEL_NOT_MATERIALIZED,
        `a parameter of shape [${this.shape.join(', ')}] has no weights yet: load the model (fromPretrained / loadStateDict) or initialise it (fromConfig / initialize) before running it`,
        { details: { shape: this.shape } },
      );
    }
    return this.#variable;
  }

  /**
   * What forward passes read: the stand-in bound by {@link withParameterTensors} while a block runs under
   * tf.customGrad (gradient checkpointing), otherwise the tf.Variable ({@link value}).
   */
  get tensor(): tf.Tensor {
    return this.#bound ?? this.value;
  }

  /** Binds `tensor` (compute layout) as what {@link tensor} returns, or unbinds with null; see withParameterTensors. */
  bindTensor(tensor: tf.Tensor | null): void {
    if (tensor !== null && !sameShape(tensor.shape, this.computeShape)) {
      throw new RangeError(`cannot bind a tensor of shape [${tensor.shape.join(', ')}] to a parameter of compute shape [${this.computeShape.join(', ')}]`);
    }
    this.#bound = tensor;
  }

  /**
   * Sets the weight from PyTorch-layout data (converted to compute layout here). Creates the tf.Variable on first use
   * and assigns into it afterwards; the data array is not kept.
   */
  setFromPyTorch(data: Float32Array): void {
    if (data.length !== this.size) {
      throw new RangeError(`parameter of shape [${this.shape.join(', ')}] needs ${this.size} values, got ${data.length}`);
    }
    const tensor = tf.tensor(this.layout.toCompute(data, this.shape), [...this.computeShape], 'float32');
    if (this.#variable === null) {
      // why: tf.variable shares the tensor's data (one more reference), so disposing the tensor leaves one copy.
      this.#variable = tf.variable(tensor, this.#trainable);
    } else {
      this.#variable.assign(tensor);
    }
    tensor.dispose();
  }

  /** Fills the weight from its {@link Init} with `random`. */
  initialize(random: RandomSource): void {
    this.setFromPyTorch(sampleInit(this.init, this.size, random));
  }

  /** The weight in PyTorch layout, as a new array. */
  async toPyTorch(): Promise<Float32Array> {
    const data = (await this.value.data()) as Float32Array;
    const result = this.layout.toPyTorch(data, this.shape);
    // why: on the cpu backend data() may hand out the variable's own storage; never give that to a caller.
    return result === data ? data.slice() : result;
  }

  /** Frees the tf.Variable; the parameter goes back to shape-only. */
  dispose(): void {
    this.#variable?.dispose();
    this.#variable = null;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
