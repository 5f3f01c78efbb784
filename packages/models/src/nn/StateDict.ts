/** One tensor of a state dict: PyTorch shape and float32 data in PyTorch layout. */
export interface StateTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Parameters by PyTorch name, in PyTorch layout (what `torch.nn.Module.state_dict()` holds, as float32). */
export type StateDict = Map<string, StateTensor>;
