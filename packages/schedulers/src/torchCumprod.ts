/**
 * `torch.cumprod(x, 0)` of a float32 vector as PyTorch's CPU kernel computes it: the running product is kept in float64
 * (its accumulate type) and each output is rounded to float32. A float32 running product drifts by up to 1.4e-6
 * relative over 1000 steps (fixture README §e); this matches the fixture exactly.
 */
export function torchCumprod(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let product = 1;
  for (let i = 0; i < values.length; i++) {
    product *= values[i]!;
    out[i] = product;
  }
  return out;
}
