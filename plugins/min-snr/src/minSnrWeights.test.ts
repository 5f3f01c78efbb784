import { describe, expect, it } from 'vitest';
import { DDPMScheduler } from '@sdxl-trainer/schedulers';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { minSnrWeights } from './minSnrWeights.js';
import { snrTable } from './snrTable.js';

// SDXL's training schedule (scaled_linear, β 0.00085 → 0.012, T = 1000), as the fixture's scheduler config says.
const sdxl = await DDPMScheduler.fromPretrained(sdxlTinyFixture(), { subfolder: 'scheduler' });
const ddpm = await loadSafetensors(sdxlTinyFixture('reference', 'ddpm.safetensors'));
const floats = (name: string): Float32Array => ddpm[name]!.data as Float32Array;
const ints = (name: string): number[] => Array.from(ddpm[name]!.data as BigInt64Array, Number);

describe('snrTable (diffusers training_utils.compute_snr, float32)', () => {
  it('equals the PyTorch SNR of the fixture exactly, from the fixture ᾱ and from our DDPMScheduler', () => {
    const timesteps = ints('snr_timesteps');
    const expected = Array.from(floats('snr'));
    const fromFixture = snrTable(floats('alphas_cumprod'));
    const fromScheduler = snrTable(sdxl.alphasCumprod);
    expect(timesteps.map((t) => fromFixture[t])).toEqual(expected);
    expect(timesteps.map((t) => fromScheduler[t])).toEqual(expected);
  });

  it('agrees with ᾱ / (1 − ᾱ) in float64 at every timestep (3e-5 relative: the float32 rounding of 1 − ᾱ near t = 0)', () => {
    const ac = sdxl.alphasCumprod;
    const snr = snrTable(ac);
    for (let t = 0; t < ac.length; t++) {
      const exact = ac[t]! / (1 - ac[t]!);
      expect(Math.abs(snr[t]! - exact) / exact).toBeLessThan(3e-5);
    }
  });
});

describe('minSnrWeights (train_text_to_image_sdxl.py --snr_gamma)', () => {
  it('equals the PyTorch Min-SNR(γ = 5) weights of the fixture exactly, for epsilon and v_prediction', () => {
    const timesteps = ints('snr_timesteps');
    const snr = snrTable(sdxl.alphasCumprod);
    expect(Array.from(minSnrWeights(snr, timesteps, { gamma: 5, predictionType: 'epsilon' }))).toEqual(Array.from(floats('minsnr_weights_epsilon')));
    expect(Array.from(minSnrWeights(snr, timesteps, { gamma: 5, predictionType: 'v_prediction' }))).toEqual(Array.from(floats('minsnr_weights_v_prediction')));
  });

  // The golden table of research/mission-anchors.md §2.1 (an independent float64 computation, printed to 3–5 digits).
  // "sample" is min(snr, γ) with no divisor, from the snr column.
  const golden = [
    { t: 0, snr: '1175.47', epsilon: '0.00425', v: '0.00425' },
    { t: 10, snr: '103.51', epsilon: '0.0483', v: '0.0478' },
    { t: 100, snr: '8.454', epsilon: '0.5914', v: '0.5289' },
    { t: 250, snr: '2.0655', epsilon: '1.0', v: '0.6738' },
    { t: 500, snr: '0.38185', epsilon: '1.0', v: '0.2763' },
    { t: 999, snr: '0.00468', epsilon: '1.0', v: '0.00466' },
  ];
  // why: half a unit of the last printed digit, plus 3e-5 relative for float32 versus the table's float64.
  const close = (actual: number, printed: string): void => {
    const decimals = printed.split('.')[1]?.length ?? 0;
    const expected = Number(printed);
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 3e-5 * Math.abs(expected));
  };

  it('matches the golden table for epsilon, v_prediction and sample (γ = 5)', () => {
    const snr = snrTable(sdxl.alphasCumprod);
    const timesteps = golden.map((row) => row.t);
    const eps = minSnrWeights(snr, timesteps, { gamma: 5, predictionType: 'epsilon' });
    const v = minSnrWeights(snr, timesteps, { gamma: 5, predictionType: 'v_prediction' });
    const sample = minSnrWeights(snr, timesteps, { gamma: 5, predictionType: 'sample' });
    golden.forEach((row, i) => {
      close(snr[row.t]!, row.snr);
      close(eps[i]!, row.epsilon);
      close(v[i]!, row.v);
      close(sample[i]!, String(Math.min(Number(row.snr), 5)));
    });
  });

  it('caps at γ: epsilon weights are exactly 1 where snr ≤ γ and fall below 1 where it is above', () => {
    const snr = snrTable(sdxl.alphasCumprod);
    const all = Array.from({ length: 1000 }, (_, t) => t);
    const weights = minSnrWeights(snr, all, { gamma: 5, predictionType: 'epsilon' });
    all.forEach((t) => (snr[t]! <= 5 ? expect(weights[t]).toBe(1) : expect(weights[t]!).toBeLessThan(1)));
    // SNR crosses 5 at t ≈ 147 (mission-anchors §2.1)
    expect(all.find((t) => snr[t]! <= 5)).toBeGreaterThanOrEqual(140);
    expect(all.find((t) => snr[t]! <= 5)).toBeLessThanOrEqual(150);
  });
});

describe('zero terminal SNR (rescale_betas_zero_snr)', () => {
  const ztsnr = DDPMScheduler.fromConfig({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', rescale_betas_zero_snr: true });
  const snr = snrTable(ztsnr.alphasCumprod);

  it('gives SNR exactly 0 at the last timestep only', () => {
    expect(ztsnr.alphasCumprod[999]).toBe(0);
    expect(snr[999]).toBe(0);
    expect(snr.slice(0, 999).every((s) => s > 0)).toBe(true);
  });

  it('gives NaN with epsilon (0 / 0, as diffusers), 0 with v_prediction and sample', () => {
    expect(minSnrWeights(snr, [999], { gamma: 5, predictionType: 'epsilon' })[0]).toBeNaN();
    expect(minSnrWeights(snr, [999], { gamma: 5, predictionType: 'v_prediction' })[0]).toBe(0);
    expect(minSnrWeights(snr, [999], { gamma: 5, predictionType: 'sample' })[0]).toBe(0);
  });

  it('with guardZeroSnr gives epsilon the limit weight 1 at SNR 0 and leaves every other weight alone', () => {
    const all = Array.from({ length: 1000 }, (_, t) => t);
    const plain = minSnrWeights(snr, all, { gamma: 5, predictionType: 'epsilon' });
    const guarded = minSnrWeights(snr, all, { gamma: 5, predictionType: 'epsilon', guardZeroSnr: true });
    expect(guarded[999]).toBe(1);
    expect(Array.from(guarded.slice(0, 999))).toEqual(Array.from(plain.slice(0, 999)));
    expect(minSnrWeights(snr, [999], { gamma: 5, predictionType: 'v_prediction', guardZeroSnr: true })[0]).toBe(0);
  });

  it('rejects a timestep outside the table', () => {
    expect(() => minSnrWeights(snr, [1000], { gamma: 5, predictionType: 'epsilon' })).toThrow(/timestep 1000 is outside/);
  });
});
