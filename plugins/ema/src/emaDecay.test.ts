import { describe, expect, it } from 'vitest';
import { emaDecay, type EmaDecaySchedule } from './emaDecay.js';

// Expected values worked out by hand from diffusers' EMAModel.get_decay (src/diffusers/training_utils.py):
//   s = max(0, step - update_after_step - 1); s <= 0 -> 0.0
//   no warmup: (1 + s) / (10 + s); warmup: 1 - (1 + s / inv_gamma) ** -power; then min(., decay), max(., min_decay)
const DIFFUSERS_DEFAULTS: EmaDecaySchedule = { decay: 0.9999, minDecay: 0, updateAfterStep: 0, useEmaWarmup: false, invGamma: 1, power: 2 / 3 };

describe('emaDecay (diffusers EMAModel.get_decay)', () => {
  it('is 0 on the first step, then (1 + s) / (10 + s) with s = step - 1', () => {
    const decays = [1, 2, 3, 4, 10].map((step) => emaDecay(step, DIFFUSERS_DEFAULTS));
    expect(decays).toEqual([0, 2 / 11, 3 / 12, 4 / 13, 10 / 19]);
  });

  it('is capped at decay: (1 + s) / (10 + s) reaches 0.9999 at s = 89990', () => {
    // (1 + s) / (10 + s) >= 0.9999  <=>  s >= 8.999 / 0.0001 = 89990
    expect(emaDecay(89_990, DIFFUSERS_DEFAULTS)).toBeCloseTo(89_990 / 89_999, 15);
    expect(emaDecay(89_990, DIFFUSERS_DEFAULTS)).toBeLessThan(0.9999);
    expect(emaDecay(89_991, DIFFUSERS_DEFAULTS)).toBeCloseTo(0.9999, 15);
    expect(emaDecay(1_000_000, DIFFUSERS_DEFAULTS)).toBe(0.9999);
    expect(emaDecay(3, { ...DIFFUSERS_DEFAULTS, decay: 0.2 })).toBe(0.2);
  });

  it('waits updateAfterStep steps, then starts from 0 again', () => {
    const schedule = { ...DIFFUSERS_DEFAULTS, updateAfterStep: 5 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((step) => emaDecay(step, schedule))).toEqual([0, 0, 0, 0, 0, 0, 2 / 11, 3 / 12]);
  });

  it('floors at minDecay once updates start, but the first update still copies (decay 0)', () => {
    const schedule = { ...DIFFUSERS_DEFAULTS, minDecay: 0.5 };
    expect(emaDecay(1, schedule)).toBe(0);
    expect(emaDecay(2, schedule)).toBe(0.5); // 2/11 < 0.5
    expect(emaDecay(20, schedule)).toBe(20 / 29);
  });

  it('uses the warmup 1 - (1 + s / invGamma)^-power when asked', () => {
    const warmup = { ...DIFFUSERS_DEFAULTS, useEmaWarmup: true };
    expect(emaDecay(1, warmup)).toBe(0);
    // s = 1: 1 - 2^(-2/3) = 1 - 1 / cbrt(4)
    expect(emaDecay(2, warmup)).toBeCloseTo(1 - 1 / Math.cbrt(4), 15);
    // s = 26: 1 - 27^(-2/3) = 1 - 1/9
    expect(emaDecay(27, warmup)).toBeCloseTo(8 / 9, 15);
    // inv_gamma 2, power 1, s = 2: 1 - (1 + 1)^-1 = 0.5
    expect(emaDecay(3, { ...warmup, invGamma: 2, power: 1 })).toBe(0.5);
  });
});
