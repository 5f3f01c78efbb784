import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { emaDecay, type EmaDecaySchedule } from './emaDecay.js';

/** What {@link ExponentialMovingAverage.stateDict} returns: diffusers' `EMAModel.state_dict()` keys in camelCase, shadows by parameter name. */
export type EmaState = EmaDecaySchedule & {
  /** Updates taken so far (diffusers `optimization_step`). */
  readonly optimizationStep: number;
  /** The averaged weights by parameter name (diffusers `shadow_params`, a list there). */
  readonly shadowParams: Readonly<Record<string, tf.Tensor>>;
};

const emaStateSchema = z.object({
  decay: z.number().min(0).max(1),
  minDecay: z.number().min(0).max(1),
  optimizationStep: z.number().int().nonnegative(),
  updateAfterStep: z.number().int().nonnegative(),
  useEmaWarmup: z.boolean(),
  invGamma: z.number().positive(),
  power: z.number().positive(),
  shadowParams: z.record(z.string(), z.custom<tf.Tensor>((value) => value instanceof tf.Tensor, 'expected a tensor')),
});

/**
 * An exponential moving average of a set of named variables, with the semantics of diffusers' `EMAModel`
 * (src/diffusers/training_utils.py): shadow copies start as the weights, `step()` moves them by
 * `s -= (1 - decay) * (s - p)` in float32, `copyTo` / `store` / `restore` swap them in and out.
 */
export class ExponentialMovingAverage {
  readonly #parameters: ReadonlyMap<string, tf.Variable>;
  readonly #shadow = new Map<string, tf.Variable>();
  #schedule: EmaDecaySchedule;
  #foreach: boolean;
  #optimizationStep = 0;
  #currentDecay: number | undefined;
  #stored: Map<string, tf.Tensor> | undefined;
  #disposed = false;

  /** Shadows start as copies of `parameters`, which stay bound to this average. */
  constructor(parameters: ReadonlyMap<string, tf.Variable>, schedule: EmaDecaySchedule, options: { foreach?: boolean } = {}) {
    this.#parameters = parameters;
    this.#schedule = { ...schedule };
    this.#foreach = options.foreach ?? false;
    for (const [name, variable] of parameters) this.#shadow.set(name, tf.variable(variable, false));
  }

  /** The decay schedule in use (a loaded state may have replaced the configured one, as in diffusers). */
  get schedule(): EmaDecaySchedule {
    return this.#schedule;
  }

  /** Updates taken so far. */
  get optimizationStep(): number {
    return this.#optimizationStep;
  }

  /** Decay of the last update (diffusers `cur_decay_value`), undefined before the first. */
  get currentDecay(): number | undefined {
    return this.#currentDecay;
  }

  /** The averaged weights by parameter name. Owned by the average: read, never dispose. */
  get shadowParams(): ReadonlyMap<string, tf.Variable> {
    this.#alive('shadowParams');
    return this.#shadow;
  }

  /** True between {@link store} and {@link restore}. */
  get hasStored(): boolean {
    return this.#stored !== undefined;
  }

  /** One update from the current weights (diffusers `EMAModel.step`); returns the decay used. */
  step(): number {
    this.#alive('step');
    this.#optimizationStep += 1;
    const decay = emaDecay(this.#optimizationStep, this.#schedule);
    this.#currentDecay = decay;
    const update = (name: string, shadow: tf.Variable): void => {
      // why: diffusers' `s_param.sub_(one_minus_decay * (s_param - param))`, the same op order, in float32.
      shadow.assign(tf.sub(shadow, tf.mul(tf.scalar(1 - decay), tf.sub(shadow, this.#parameters.get(name)!))));
    };
    if (this.#foreach) tf.tidy(() => this.#shadow.forEach((shadow, name) => update(name, shadow)));
    else for (const [name, shadow] of this.#shadow) tf.tidy(() => update(name, shadow));
    return decay;
  }

  /** Put the averaged weights into the model's variables (diffusers `copy_to`). */
  copyTo(): void {
    this.#alive('copyTo');
    for (const [name, shadow] of this.#shadow) this.#parameters.get(name)!.assign(shadow);
  }

  /** Keep a copy of the model's current weights for {@link restore} (diffusers `store`). */
  store(): void {
    this.#alive('store');
    this.#disposeStored();
    this.#stored = new Map([...this.#parameters].map(([name, variable]) => [name, tf.keep(tf.clone(variable))]));
  }

  /** Put back the weights saved by {@link store} and drop the copy (diffusers `restore`). */
  restore(): void {
    this.#alive('restore');
    if (!this.#stored) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, 'EMA restore() without a store(): there are no stored weights to put back');
    for (const [name, saved] of this.#stored) this.#parameters.get(name)!.assign(saved);
    this.#disposeStored();
  }

  /** The state to checkpoint; the tensors are the live shadows (read them, never dispose them). */
  stateDict(): EmaState {
    this.#alive('stateDict');
    return { ...this.#schedule, optimizationStep: this.#optimizationStep, shadowParams: Object.fromEntries(this.#shadow) };
  }

  /**
   * Continue from a saved state (diffusers `load_state_dict`: the saved decay settings replace the current ones).
   * Every parameter must have a shadow of its shape; the tensors are copied, so the caller may dispose them.
   */
  loadStateDict(state: unknown): void {
    this.#alive('loadStateDict');
    const parsed = emaStateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `invalid EMA state: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { details: { path: issue.path } });
    }
    const { shadowParams, optimizationStep, ...schedule } = parsed.data;
    for (const [name, variable] of this.#parameters) {
      const saved = shadowParams[name];
      if (!saved) throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `the EMA state has no shadow for "${name}"`, { details: { name } });
      if (saved.shape.join() !== variable.shape.join() || saved.dtype !== variable.dtype) {
        throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `the EMA shadow of "${name}" is ${saved.dtype} [${saved.shape}], the model has ${variable.dtype} [${variable.shape}]`, {
          details: { name },
        });
      }
    }
    const unknown = Object.keys(shadowParams).filter((name) => !this.#parameters.has(name));
    if (unknown.length > 0) throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `the EMA state has shadows for parameters the model does not have: ${unknown.join(', ')}`);
    // why: assign shares the saved tensor's data (reference-counted), so the caller may dispose its tensor afterwards.
    for (const [name, shadow] of this.#shadow) shadow.assign(shadowParams[name]!);
    this.#schedule = schedule;
    this.#optimizationStep = optimizationStep;
    this.#currentDecay = undefined;
  }

  /** Free the shadows and any stored weights. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#disposeStored();
    for (const shadow of this.#shadow.values()) shadow.dispose();
    this.#shadow.clear();
  }

  #disposeStored(): void {
    this.#stored?.forEach((tensor) => tensor.dispose());
    this.#stored = undefined;
  }

  #alive(what: string): void {
    if (this.#disposed) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `EMA ${what}() after dispose(): the run has ended`);
  }
}
