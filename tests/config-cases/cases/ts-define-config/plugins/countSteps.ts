import type { TrainerPlugin } from '@sdxl-trainer/core';

export interface CountStepsOptions {
  readonly every: number;
}

export default function countSteps(options: CountStepsOptions): TrainerPlugin {
  return { name: 'case:count-steps', apply: () => void options.every };
}
