import type { ResolvedConfig, RunSummary, TrainerStateData } from '@sdxl-trainer/core';

/**
 * The run's training setup as rows for the model card: steps, batch, optimizer, learning-rate schedule, seed, loss
 * and the plugins used, each under the script's flag name so a reader can reproduce it with diffusers too.
 */
export function trainingFacts(config: ResolvedConfig, state: Readonly<TrainerStateData>, summary: RunSummary): Array<readonly [string, string]> {
  const rows: Array<readonly [string, string]> = [
    ['optimizer steps (--max_train_steps)', summary.status === 'completed' ? `${summary.globalStep}` : `${summary.globalStep} of ${state.maxSteps} (${summary.status})`],
    ['epochs', `${state.epochs}`],
    ['batch size (--train_batch_size)', `${config.trainBatchSize}`],
    ['gradient accumulation (--gradient_accumulation_steps)', `${config.gradientAccumulationSteps}`],
    ['learning rate (--learning_rate)', `${config.learningRate}${config.scaleLr ? ' (scaled: --scale_lr)' : ''}`],
    ['lr scheduler (--lr_scheduler)', `${config.lrScheduler}, ${config.lrWarmupSteps} warmup steps`],
    ['AdamW betas, weight decay, epsilon', `(${config.adamBeta1}, ${config.adamBeta2}), ${config.adamWeightDecay}, ${config.adamEpsilon}`],
    ['max grad norm (--max_grad_norm)', config.maxGradNorm === null ? 'no clipping' : `${config.maxGradNorm}`],
    ...(config.predictionType === undefined ? [] : [['prediction type (--prediction_type)', config.predictionType] as const]),
    ['seed (--seed)', `${summary.seed}`],
    ...(summary.lastLoss === undefined ? [] : [['final train loss', summary.lastLoss.toPrecision(4)] as const]),
    ['training time', `${(summary.durationSeconds / 60).toFixed(1)} min`],
  ];
  const plugins = config.plugins.map((plugin) => plugin.name);
  if (plugins.length > 0) rows.push(['plugins', plugins.map((name) => `\`${name}\``).join(', ')]);
  return rows;
}
