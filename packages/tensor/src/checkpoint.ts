import * as tf from '@tensorflow/tfjs-core';

/** A block whose every input — activations and weights alike — is an argument. */
export type CheckpointBlock = (...inputs: tf.Tensor[]) => tf.Tensor;

/** The engine state {@link checkpoint} saves and restores (tfjs-core 4.22 `Engine.state`). */
interface EngineState {
  activeTape: unknown;
}

/**
 * Gradient checkpointing (torch.utils.checkpoint; diffusers `--gradient_checkpointing`): the returned
 * function computes `block(...inputs)` without recording the block's intermediates for backprop, and
 * recomputes them from the saved inputs when the gradient is needed. Memory for a block's activations
 * is traded for one extra forward.
 *
 * Pass the block's weights as inputs: tf.customGrad only returns gradients for its arguments, and
 * variables captured in a closure would get none.
 *
 * ```ts
 * const block = checkpoint((x, w1, w2) => tf.conv2d(tf.relu(tf.conv2d(x, w1, 1, 'same')), w2, 1, 'same'));
 * const { grads } = tf.variableGrads(() => tf.mean(block(x, w1, w2)), [w1, w2]);
 * ```
 */
export function checkpoint(block: CheckpointBlock): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    // Runs at kernel depth inside customGrad: nothing here is taped, and the intermediates are freed
    // by the forward tidy as soon as the value is computed.
    const value = block(...inputs);
    save(inputs);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => recompute(block, saved, dy);
    return { value, gradFunc };
  });
  return (...inputs: tf.Tensor[]) => op(...inputs);
}

/** Gradients of `block` at `saved` against upstream `dy`, by running the block again on a fresh tape. */
function recompute(block: CheckpointBlock, saved: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const state = (tf.engine() as unknown as { state: EngineState }).state;
  // why: the nested gradient call below starts a new tape (gradient depth is 0 during the outer
  // backward pass) and sets `activeTape` to null when it ends; the outer backward still walks its own
  // tape afterwards and would crash ("Cannot read properties of null (reading 'forEach')").
  const outerTape = state.activeTape;
  try {
    const { value, grads } = tf.engine().gradients(() => block(...saved), saved, dy, true);
    value.dispose();
    // why: an input the block ignores gets no gradient; customGrad needs a tensor for each input.
    return saved.map((x, i) => grads[i] ?? tf.zerosLike(x));
  } finally {
    state.activeTape = outerTape;
  }
}
