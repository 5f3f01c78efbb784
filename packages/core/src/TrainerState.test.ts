import { describe, expect, it } from 'vitest';
import { TrainerControl } from './TrainerControl.js';
import { TrainerState } from './TrainerState.js';

describe('TrainerState', () => {
  it('round-trips through JSON', () => {
    const state = new TrainerState();
    Object.assign(state, { globalStep: 12, epoch: 3, batchInEpoch: 2, maxSteps: 40, epochs: 10, stepsPerEpoch: 4, batchesPerEpoch: 8, seed: 1234 });
    const restored = TrainerState.fromJSON(JSON.parse(JSON.stringify(state)));
    expect(restored.toJSON()).toEqual(state.toJSON());
  });

  it('names the field that is wrong', () => {
    const good = new TrainerState().toJSON();
    expect(() => TrainerState.fromJSON({ ...good, globalStep: -1 })).toThrow(/"globalStep" must be a non-negative integer, got -1/);
    expect(() => TrainerState.fromJSON({ ...good, epoch: '2' })).toThrow(/"epoch" .* got "2"/);
    expect(() => TrainerState.fromJSON(null)).toThrow(/must be an object, got null/);
  });
});

describe('TrainerControl', () => {
  it('keeps shouldStop sticky and resets the per-step flags', () => {
    const control = new TrainerControl();
    control.shouldSave = control.shouldValidate = control.shouldLog = true;
    control.requestStop('first');
    control.requestStop('second');
    control.resetStep();
    expect([control.shouldSave, control.shouldValidate, control.shouldLog]).toEqual([false, false, false]);
    expect(control.shouldStop).toBe(true);
    expect(control.stopReason).toBe('first');
  });
});
