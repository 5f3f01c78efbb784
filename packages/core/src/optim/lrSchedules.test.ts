import { describe, expect, it } from 'vitest';
import { LrScheduler } from './LrScheduler.js';
import { lrMultiplier, parseStepRules, type LrScheduleOptions } from './lrSchedules.js';

// Expected values are written from the lr_lambda formulas of diffusers src/diffusers/optimization.py
// (get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup, get_cosine_with_hard_restarts_schedule_with_warmup,
// get_polynomial_decay_schedule_with_warmup, get_constant_schedule_with_warmup, get_piecewise_constant_schedule),
// evaluated by hand at chosen steps.
const base: LrScheduleOptions = { name: 'constant', baseLr: 1e-3, warmupSteps: 10, trainingSteps: 110, numCycles: 1, power: 1, lrEnd: 1e-7 };
const at = (options: Partial<LrScheduleOptions>, step: number): number => lrMultiplier({ ...base, ...options }, step);

describe('learning-rate schedules (diffusers get_scheduler)', () => {
  it('constant ignores warmup', () => {
    expect([0, 5, 10, 1000].map((s) => at({ name: 'constant' }, s))).toEqual([1, 1, 1, 1]);
  });

  it('constant_with_warmup ramps linearly from 0', () => {
    expect([0, 1, 5, 9, 10, 500].map((s) => at({ name: 'constant_with_warmup' }, s))).toEqual([0, 0.1, 0.5, 0.9, 1, 1]);
  });

  it('linear warms up then decays to 0 at trainingSteps and stays there', () => {
    expect(at({ name: 'linear' }, 5)).toBeCloseTo(0.5, 12);
    expect(at({ name: 'linear' }, 10)).toBe(1);
    expect(at({ name: 'linear' }, 60)).toBeCloseTo(0.5, 12); // (110-60)/(110-10)
    expect(at({ name: 'linear' }, 110)).toBe(0);
    expect(at({ name: 'linear' }, 200)).toBe(0);
  });

  it('cosine follows half a cosine whatever numCycles says (get_scheduler does not pass num_cycles)', () => {
    for (const numCycles of [1, 3]) {
      expect(at({ name: 'cosine', numCycles }, 10)).toBeCloseTo(1, 12);
      expect(at({ name: 'cosine', numCycles }, 60)).toBeCloseTo(0.5, 12); // progress 0.5 -> 0.5(1+cos(pi/2))
      expect(at({ name: 'cosine', numCycles }, 35)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.25)), 12);
      expect(at({ name: 'cosine', numCycles }, 110)).toBeCloseTo(0, 12);
    }
  });

  it('cosine_with_restarts restarts numCycles times and is 0 from trainingSteps on', () => {
    const opts = { name: 'cosine_with_restarts' as const, numCycles: 2 };
    expect(at(opts, 10)).toBeCloseTo(1, 12);
    expect(at(opts, 35)).toBeCloseTo(0.5, 12); // progress 0.25 -> (2*0.25)%1 = 0.5 -> 0.5(1+cos(pi/2))
    expect(at(opts, 60)).toBeCloseTo(1, 12); // progress 0.5 -> restart
    expect(at(opts, 85)).toBeCloseTo(0.5, 12);
    expect(at(opts, 110)).toBe(0);
  });

  it('polynomial decays from the base lr to lrEnd with the given power', () => {
    const opts = { name: 'polynomial' as const, power: 2, baseLr: 1e-3, lrEnd: 1e-5 };
    // step 60: pct_remaining = 1 - 50/100 = 0.5 -> (1e-3 - 1e-5) * 0.25 + 1e-5, divided by 1e-3
    expect(at(opts, 60)).toBeCloseTo(((1e-3 - 1e-5) * 0.25 + 1e-5) / 1e-3, 12);
    expect(at(opts, 110)).toBeCloseTo(1e-5 / 1e-3, 12);
    expect(at(opts, 111)).toBeCloseTo(1e-5 / 1e-3, 12);
    expect(at(opts, 5)).toBeCloseTo(0.5, 12);
  });

  it('piecewise_constant applies multipliers until each step, then the last', () => {
    const opts = { name: 'piecewise_constant' as const, stepRules: '1:10,0.1:20,0.01:30,0.005' };
    expect([0, 9, 10, 19, 20, 29, 30, 1000].map((s) => at(opts, s))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01, 0.005, 0.005]);
    expect(() => parseStepRules('1:x,0.1')).toThrow(/multiplier>:<step/);
    expect(() => parseStepRules('1:10,')).toThrow(/final multiplier/);
  });

  it('the scheduler applies the multiplier of its step count to the base lr, and saves its position', () => {
    const scheduler = new LrScheduler({ ...base, name: 'linear' });
    expect(scheduler.lr).toBe(0); // LambdaLR applies lr_lambda(0) before the first optimizer step
    for (let i = 0; i < 5; i++) scheduler.step();
    expect(scheduler.lr).toBeCloseTo(5e-4, 15);
    const resumed = new LrScheduler({ ...base, name: 'linear' });
    resumed.loadStateDict(JSON.parse(JSON.stringify(scheduler.stateDict())));
    expect(resumed.lr).toBe(scheduler.lr);
  });

  it('refuses a polynomial schedule whose lrEnd is not below the base lr, as diffusers does', () => {
    expect(() => new LrScheduler({ ...base, name: 'polynomial', lrEnd: 1e-3 })).toThrow(/lrEnd .* must be smaller/);
  });
});
