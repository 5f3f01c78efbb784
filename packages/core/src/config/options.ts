/**
 * The run options of @sdxl-trainer/core: each mirrors a flag of diffusers' train_text_to_image_sdxl.py
 * (camelCase of the flag), with the flag's default. This table documents them and feeds config errors.
 */
export const CORE_OPTIONS = {
  seed: { flag: '--seed', expected: 'a non-negative integer', doc: 'Seed every random stream derives from. Unset: a random seed is drawn and logged.' },
  outputDir: { flag: '--output_dir', expected: 'a folder path', doc: 'Where checkpoints, logs and the final model go.', default: 'sdxl-model-finetuned' },
  backend: { flag: '--backend', expected: '"auto", "tensorflow-gpu", "tensorflow", "wasm" or "cpu"', doc: 'TensorFlow.js backend; auto picks the fastest installed.', default: 'auto' },
  threads: { flag: '--threads', expected: 'a positive integer', doc: 'Compute threads: the wasm XNNPACK pool, or TensorFlow\'s intra-op threads (default: number of cores).' },
  trainBatchSize: { flag: '--train_batch_size', expected: 'a positive integer', doc: 'Samples per micro-batch.', default: 16 },
  numTrainEpochs: { flag: '--num_train_epochs', expected: 'a positive integer', doc: 'Epochs to train (overridden by maxTrainSteps).', default: 100 },
  maxTrainSteps: { flag: '--max_train_steps', expected: 'a positive integer', doc: 'Total optimizer steps; sets the number of epochs when given.' },
  gradientAccumulationSteps: { flag: '--gradient_accumulation_steps', expected: 'a positive integer', doc: 'Micro-batches per optimizer step.', default: 1 },
  maxGradNorm: { flag: '--max_grad_norm', expected: 'a positive number, or null to disable clipping', doc: 'Clip gradients to this global L2 norm.', default: 1 },
  learningRate: { flag: '--learning_rate', expected: 'a positive number', doc: 'Base learning rate (after warmup).', default: 1e-4 },
  scaleLr: { flag: '--scale_lr', expected: 'true or false', doc: 'Multiply the learning rate by gradientAccumulationSteps × trainBatchSize × processes (1).', default: false },
  lrScheduler: {
    flag: '--lr_scheduler',
    expected: '"constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial" or "piecewise_constant"',
    doc: "Learning-rate schedule, as diffusers' get_scheduler.",
    default: 'constant',
  },
  lrWarmupSteps: { flag: '--lr_warmup_steps', expected: 'a non-negative integer', doc: 'Warmup steps; like the SDXL script, the schedule warms up over lrWarmupSteps × gradientAccumulationSteps optimizer steps.', default: 500 },
  lrNumCycles: { flag: '--lr_num_cycles', expected: 'a positive integer', doc: 'Hard restarts of cosine_with_restarts.', default: 1 },
  lrPower: { flag: '--lr_power', expected: 'a positive number', doc: 'Power of the polynomial schedule.', default: 1 },
  lrEnd: { flag: '--lr_end', expected: 'a non-negative number', doc: 'Final learning rate of the polynomial schedule.', default: 1e-7 },
  lrStepRules: { flag: '--lr_step_rules', expected: 'rules like "1:10,0.1:20,0.01"', doc: 'Multipliers of piecewise_constant.' },
  adamBeta1: { flag: '--adam_beta1', expected: 'a number in [0, 1)', doc: 'AdamW β1.', default: 0.9 },
  adamBeta2: { flag: '--adam_beta2', expected: 'a number in [0, 1)', doc: 'AdamW β2.', default: 0.999 },
  adamWeightDecay: { flag: '--adam_weight_decay', expected: 'a non-negative number', doc: 'AdamW decoupled weight decay.', default: 1e-2 },
  adamEpsilon: { flag: '--adam_epsilon', expected: 'a positive number', doc: 'AdamW ε.', default: 1e-8 },
  predictionType: { flag: '--prediction_type', expected: '"epsilon", "v_prediction" or "sample"', doc: "Override the noise scheduler's prediction type." },
  loggingSteps: { flag: '--logging_steps', expected: 'a positive integer', doc: 'Emit metrics and a log line every N optimizer steps.', default: 1 },
  checkpointingSteps: { flag: '--checkpointing_steps', expected: 'a positive integer, or null for none', doc: 'Ask for a checkpoint every N optimizer steps (a checkpointing plugin writes it); null: never.', default: 500 },
  validationEpochs: { flag: '--validation_epochs', expected: 'a positive integer', doc: 'Ask for validation after every N-th epoch (when epoch % N == 0).', default: 1 },
  plugins: { flag: undefined, expected: 'a list of plugins (objects with name and apply), presets (nested lists) or falsy entries', doc: 'The composition.', default: [] },
} as const satisfies Record<string, { flag: string | undefined; expected: string; doc: string; default?: unknown }>;

/** Name of a core run option. */
export type CoreOptionName = keyof typeof CORE_OPTIONS;
