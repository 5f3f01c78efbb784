/** The learning-rate schedules of diffusers' `get_scheduler` (src/diffusers/optimization.py). */
export const LR_SCHEDULER_NAMES = [
  'constant',
  'constant_with_warmup',
  'linear',
  'cosine',
  'cosine_with_restarts',
  'polynomial',
  'piecewise_constant',
] as const;

/** One of {@link LR_SCHEDULER_NAMES}. */
export type LrSchedulerName = (typeof LR_SCHEDULER_NAMES)[number];

/** What a schedule needs besides the step. Step counts are scheduler steps (one per optimizer step). */
export interface LrScheduleOptions {
  readonly name: LrSchedulerName;
  /** Base learning rate (the optimizer's `lr`). */
  readonly baseLr: number;
  readonly warmupSteps: number;
  readonly trainingSteps: number;
  /** Hard restarts of `cosine_with_restarts` (get_scheduler's num_cycles; `cosine` ignores it, as get_scheduler does). */
  readonly numCycles: number;
  /** Exponent of `polynomial`. */
  readonly power: number;
  /** Final learning rate of `polynomial` (diffusers' lr_end, 1e-7). */
  readonly lrEnd: number;
  /** `piecewise_constant` rules, e.g. "1:10,0.1:20,0.01" (multiplier:until-step, ..., final multiplier). */
  readonly stepRules?: string | undefined;
}

/**
 * The multiplier of the base learning rate after `step` scheduler steps — LambdaLR's `lr_lambda(step)`.
 * The optimizer step with index k (0-based) runs at `baseLr × lrMultiplier(k)`.
 */
export function lrMultiplier(options: LrScheduleOptions, step: number): number {
  const { warmupSteps: warmup, trainingSteps: total } = options;
  const warming = step < warmup;
  const warmupValue = step / Math.max(1, warmup);
  switch (options.name) {
    case 'constant':
      return 1;
    case 'constant_with_warmup':
      return warming ? warmupValue : 1;
    case 'linear':
      if (warming) return warmupValue;
      return Math.max(0, (total - step) / Math.max(1, total - warmup));
    case 'cosine': {
      if (warming) return warmupValue;
      // why: get_scheduler never forwards num_cycles to the cosine schedule, so it keeps its default 0.5.
      const progress = (step - warmup) / Math.max(1, total - warmup);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress)));
    }
    case 'cosine_with_restarts': {
      if (warming) return warmupValue;
      const progress = (step - warmup) / Math.max(1, total - warmup);
      if (progress >= 1) return 0;
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * pythonMod(options.numCycles * progress, 1))));
    }
    case 'polynomial': {
      if (warming) return warmupValue;
      if (step > total) return options.lrEnd / options.baseLr;
      const range = options.baseLr - options.lrEnd;
      const remaining = 1 - (step - warmup) / (total - warmup);
      return (range * remaining ** options.power + options.lrEnd) / options.baseLr;
    }
    case 'piecewise_constant':
      return piecewiseMultiplier(parseStepRules(options.stepRules ?? ''), step);
  }
}

/** Parsed `piecewise_constant` rules: multipliers that hold until a step, then a final multiplier. */
export interface StepRules {
  readonly until: ReadonlyArray<{ readonly step: number; readonly multiplier: number }>;
  readonly last: number;
}

/** Parse "1:10,0.1:20,0.005" as diffusers' get_piecewise_constant_schedule does; throws on malformed rules. */
export function parseStepRules(rules: string): StepRules {
  const parts = rules.split(',');
  const lastText = parts.pop() ?? '';
  const last = Number(lastText);
  if (lastText.trim() === '' || !Number.isFinite(last)) {
    throw new RangeError(`step rules "${rules}" must end with a final multiplier, e.g. "1:10,0.1:20,0.01"`);
  }
  const until = parts.map((part) => {
    const [value, steps, extra] = part.split(':');
    const multiplier = Number(value);
    const step = Number(steps);
    if (extra !== undefined || value === undefined || steps === undefined || !Number.isFinite(multiplier) || !Number.isInteger(step)) {
      throw new RangeError(`step rule "${part}" in "${rules}" must be <multiplier>:<step>, e.g. 0.1:20`);
    }
    return { step, multiplier };
  });
  // why: diffusers keys rules by step in a dict (a repeated step keeps the later multiplier) and searches them sorted.
  const byStep = new Map(until.map((rule) => [rule.step, rule.multiplier]));
  return { until: [...byStep].sort(([a], [b]) => a - b).map(([step, multiplier]) => ({ step, multiplier })), last };
}

function piecewiseMultiplier(rules: StepRules, step: number): number {
  for (const rule of rules.until) if (step < rule.step) return rule.multiplier;
  return rules.last;
}

/** Python's `%` (the result takes the sign of the divisor). */
function pythonMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
