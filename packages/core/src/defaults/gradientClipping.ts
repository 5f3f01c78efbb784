import { clipGradNorm } from '../optim/clipGradNorm.js';
import type { TrainerPlugin } from '../plugin.js';
import { Stage } from '../Stage.js';

const NAME = '@sdxl-trainer/core:gradient-clipping';

/** Clips the step's gradients to a global L2 norm (--max_grad_norm) and reports the norm before clipping as `train/grad_norm`. */
export function gradientClipping(maxNorm: number): TrainerPlugin {
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.beforeOptimizerStep.tap({ name: NAME, stage: Stage.REWEIGHT }, (gradients, context) => {
        const { gradients: clipped, norm } = clipGradNorm(gradients, maxNorm);
        context.metrics['train/grad_norm'] = norm.dataSync()[0]!;
        return clipped;
      });
    },
  };
}

