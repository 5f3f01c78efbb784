import { Stage, type OptimizerFactory, type TrainerPlugin } from '@sdxl-trainer/core';
import { Adam8bit } from './Adam8bit.js';
import { parseAdam8bitOptions, type Adam8bitOptions } from './adam8bitOptions.js';

const NAME = '@sdxl-trainer/plugin-adam-8bit';

/**
 * `--use_8bit_adam`: replace the run's AdamW with {@link Adam8bit}, bitsandbytes' blockwise 8-bit AdamW
 * (`bnb.optim.AdamW8bit`), whose two moments take about one byte per value each on the device instead of four.
 */
export default function adam8bit(options: Adam8bitOptions = {}): TrainerPlugin {
  const { blockSize, minEightBitSize } = parseAdam8bitOptions(`${NAME} options`, options);
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.createOptimizer.tap({ name: NAME, stage: Stage.PROVIDE }, (): OptimizerFactory => ({
        name: 'adamw8bit',
        create(variables, settings) {
          const optimizer = new Adam8bit(variables, settings, { blockSize, minEightBitSize });
          const s = optimizer.summary();
          trainer.logger.info(
            `8-bit AdamW: ${s.eightBitTensors} tensors (${s.eightBitValues} values) in 8-bit blocks of ${blockSize}, ` +
              `${s.float32Tensors} under ${minEightBitSize} values (${s.float32Values}) in float32; ` +
              `optimizer state ${formatBytes(s.stateBytes)} (float32 AdamW: ${formatBytes(8 * (s.eightBitValues + s.float32Values))})`,
            { ...s },
          );
          return optimizer;
        },
      }));
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 2 ** 20) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

export { adam8bitOptionsSchema, ADAM_8BIT_DEFAULTS, type Adam8bitOptions, type ResolvedAdam8bitOptions } from './adam8bitOptions.js';
export { Adam8bit, ADAM_8BIT_STATE_FORMAT, type Adam8bitExecution, type Adam8bitLayout, type Adam8bitSummary } from './Adam8bit.js';
export { BlockwiseQuantizer, type BucketizeMethod, type QuantizedTensor } from './BlockwiseQuantizer.js';
export { createDynamicMap, dynamicMapThresholds, type DynamicMap } from './dynamicMap.js';
export { packCodes, unpackCodes } from './packCodes.js';
