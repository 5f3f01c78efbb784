import { DataLoaderFactory, EventBusToken, Logger, NoiseSchedule, OptimizerFactory, ResolvedConfig, TimestepSampler, Trainer, type InjectionToken } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { toyTrainer } from '@sdxl-trainer/tests-toy';

describe('the run container', () => {
  it('resolves every registration in a fresh container (explicit @inject everywhere, no emitted metadata needed)', () => {
    const trainer = toyTrainer({});
    trainer.prepare();
    const tokens: Record<string, InjectionToken<unknown>> = { ResolvedConfig, Trainer, EventBusToken, Logger, DataLoaderFactory, OptimizerFactory, NoiseSchedule, TimestepSampler };
    for (const [name, token] of Object.entries(tokens)) {
      expect(trainer.container.isRegistered(token, true), `${name} is registered`).toBe(true);
      expect(() => trainer.container.resolve(token), `${name} resolves`).not.toThrow();
    }
    expect(trainer.container.resolve(Trainer)).toBe(trainer);
    expect(trainer.container.resolve(TimestepSampler).sample(3, trainer.rng.get('t')).length).toBe(3);
  });

  it('gives each run its own child container', () => {
    const a = toyTrainer({});
    const b = toyTrainer({});
    a.prepare();
    b.prepare();
    expect(a.container).not.toBe(b.container);
    expect(a.container.resolve(Trainer)).toBe(a);
    expect(b.container.resolve(Trainer)).toBe(b);
    expect(a.container.resolve(Logger)).not.toBe(b.container.resolve(Logger));
  });
});
