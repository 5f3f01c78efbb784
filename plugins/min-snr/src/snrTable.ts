const f32 = Math.fround;

/**
 * SNR(t) = ᾱ_t / (1 − ᾱ_t) of every training timestep, evaluated in float32 exactly as diffusers'
 * `training_utils.compute_snr` does: `(sqrt(ᾱ) / sqrt(1 − ᾱ)) ** 2`, each op rounded to float32.
 * A zero-terminal-SNR schedule (ᾱ_{T−1} = 0) gives SNR 0 at its last timestep.
 */
export function snrTable(alphasCumprod: Float32Array): Float32Array {
  const snr = new Float32Array(alphasCumprod.length);
  for (let t = 0; t < alphasCumprod.length; t++) {
    const ac = alphasCumprod[t]!;
    // why: a float64 sqrt or quotient of float32 inputs rounded once to float32 equals the float32 op (IEEE).
    const alpha = f32(Math.sqrt(ac));
    const sigma = f32(Math.sqrt(f32(1 - ac)));
    const ratio = f32(alpha / sigma);
    snr[t] = ratio * ratio; // a Float32Array store rounds to float32
  }
  return snr;
}
