import { f32, fmaFloat32 } from './float32.js';

// why: PyTorch 1.13's CPU linspace kernel (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp) fills the first half as
// `start + step * i` and the second half as `end - step * (steps - i - 1)`, in float32, through the vectorised loop
// of cpu_serial_kernel_vec: blocks of 8 lanes (AVX2), two blocks per iteration, each block `base + step * lane`
// from the block's first index, the tail done element by element. GCC contracts those expressions into FMAs in the
// AVX2 kernels. Emulating all of it reproduces diffusers' float32 betas bit for bit (checked against the fixture).
const LANES = 8;

/** `torch.linspace(start, end, steps, dtype=torch.float32)` as PyTorch's CPU (AVX2) kernel computes it. */
export function torchLinspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 0) return out;
  if (steps === 1) {
    out[0] = f32(start);
    return out;
  }
  const first = f32(start);
  const last = f32(end);
  const step = f32(f32(last - first) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const at = (index: number): number => (index < halfway ? fmaFloat32(step, index, first) : fmaFloat32(-step, steps - index - 1, last));
  const vectorised = Math.floor(steps / (2 * LANES)) * 2 * LANES;
  for (let block = 0; block < vectorised; block += LANES) {
    const base = at(block);
    for (let lane = 0; lane < LANES; lane++) out[block + lane] = fmaFloat32(step, lane, base);
  }
  for (let index = vectorised; index < steps; index++) out[index] = at(index);
  return out;
}
