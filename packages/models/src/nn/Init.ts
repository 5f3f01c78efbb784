import type { RandomSource } from '../random/RandomSource.js';

/** How a parameter is filled when a model is built from its config rather than loaded: plain data. */
export type Init =
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'constant'; readonly value: number };

/** Constructors of {@link Init} values, including PyTorch's default initialisers. */
export const Init = Object.freeze({
  /** N(mean, std²), as `nn.init.normal_(w, mean, std)`. */
  normal: (std: number, mean = 0): Init => ({ kind: 'normal', mean, std }),
  /** U(low, high), as `nn.init.uniform_(w, low, high)`. */
  uniform: (low: number, high: number): Init => ({ kind: 'uniform', low, high }),
  /** Every element `value`, as `nn.init.constant_`. */
  constant: (value: number): Init => ({ kind: 'constant', value }),
  /** Zeros. */
  zeros: (): Init => ({ kind: 'constant', value: 0 }),
  /** Ones. */
  ones: (): Init => ({ kind: 'constant', value: 1 }),
  /**
   * PyTorch's default for nn.Linear / nn.Conv2d weights: `kaiming_uniform_(w, a=sqrt(5))`, i.e. U(±1/sqrt(fan_in))
   * (gain sqrt(2 / (1 + 5)), bound = sqrt(3)·gain/sqrt(fan_in); torch/nn/modules/linear.py reset_parameters).
   */
  torchDefaultWeight: (fanIn: number): Init => ({ kind: 'uniform', low: -1 / Math.sqrt(fanIn), high: 1 / Math.sqrt(fanIn) }),
  /** PyTorch's default for nn.Linear / nn.Conv2d biases: U(±1/sqrt(fan_in)). */
  torchDefaultBias: (fanIn: number): Init => ({ kind: 'uniform', low: -1 / Math.sqrt(fanIn), high: 1 / Math.sqrt(fanIn) }),
});

/** A new array of `size` values drawn as `init` says (normals and uniforms consume `random` in element order). */
export function sampleInit(init: Init, size: number, random: RandomSource): Float32Array {
  const data = new Float32Array(size);
  switch (init.kind) {
    case 'constant':
      data.fill(init.value);
      break;
    case 'normal':
      for (let i = 0; i < size; i++) data[i] = init.mean + init.std * random.normal();
      break;
    case 'uniform':
      for (let i = 0; i < size; i++) data[i] = init.low + (init.high - init.low) * random.random();
      break;
  }
  return data;
}
