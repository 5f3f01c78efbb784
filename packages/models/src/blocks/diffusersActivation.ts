import * as tf from '@tensorflow/tfjs-core';
import { gelu, relu, silu, type Activation } from '../functional/activations.js';

/** Mish, x·tanh(softplus(x)) (torch.nn.Mish). */
function mish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.tanh(tf.softplus(x))));
}

/** diffusers activations.py ACTIVATION_FUNCTIONS: the `act_fn` names diffusers models accept (gelu is the exact erf GELU). */
export const DIFFUSERS_ACTIVATIONS: Readonly<Record<string, Activation>> = Object.freeze({ swish: silu, silu, mish, gelu, relu });

/** The activation diffusers' `get_activation(name)` returns (names are case-insensitive there too); throws RangeError otherwise. */
export function diffusersActivation(name: string): Activation {
  const activation = DIFFUSERS_ACTIVATIONS[name.toLowerCase()];
  if (activation === undefined) throw new RangeError(`unsupported diffusers activation "${name}" (known: ${Object.keys(DIFFUSERS_ACTIVATIONS).join(', ')})`);
  return activation;
}
