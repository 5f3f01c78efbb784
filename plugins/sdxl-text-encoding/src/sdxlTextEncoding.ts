import type { Trainer, TrainerPlugin } from '@sdxl-trainer/core';
import { Stage } from '@sdxl-trainer/core';
import type { TextEmbedder as TextEmbedderType } from '@sdxl-trainer/data';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { CLIPTextModel, CLIPTextModelWithProjection } from '@sdxl-trainer/models';
import { getSdxlHooks, TextEmbedder } from '@sdxl-trainer/sdxl';
import type { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import { isPromptDropped } from './isPromptDropped.js';
import { dropMask, zeroDroppedConditioning } from './zeroDroppedConditioning.js';
import { loadSdxlTextEmbedder, TEXT_COMPONENTS } from './loadSdxlTextEmbedder.js';
import { parseSdxlTextEncodingOptions, type SdxlTextEncodingOptions } from './sdxlTextEncodingOptions.js';
import type { SdxlTextEmbedder } from './SdxlTextEmbedder.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-sdxl-text-encoding';

/** The metric of mode `zero`: the share of the step's samples whose conditioning was zeroed. */
export const EMPTY_PROMPT_FRACTION = 'train/empty_prompt_fraction';

declare module '@sdxl-trainer/core' {
  interface MetricMap {
    /** Share of the optimizer step's samples trained with zeroed conditioning (emptyPromptMode "zero"). */
    'train/empty_prompt_fraction': number;
  }
  interface ModelMap {
    text_encoder: CLIPTextModel | CLIPTextModelWithProjection;
    text_encoder_2: CLIPTextModelWithProjection;
    tokenizer: CLIPTokenizer;
    tokenizer_2: CLIPTokenizer;
  }
}

/**
 * SDXL's dual text encoding (train_text_to_image_sdxl.py `encode_prompt`): loads both tokenizers and CLIP text
 * encoders from `trainer.modelSources` in loadModels, provides the run's `TextEmbedder` (penultimate hidden states
 * of both encoders concatenated, text_encoder_2's text_embeds as the pooled embedding), frees the encoders after
 * the precompute, and applies --proportion_empty_prompts: as the script does (`encode`: "" embedded, frozen per row)
 * or as zeroed conditioning drawn every micro-step (`zero`).
 */
export function sdxlTextEncoding(options: SdxlTextEncodingOptions = {}): TrainerPlugin {
  const { proportionEmptyPrompts, emptyPromptMode, batchSize, cacheDir } = parseSdxlTextEncodingOptions(NAME, options);
  return {
    name: NAME,
    apply(trainer) {
      let embedder: SdxlTextEmbedder | undefined;
      const loaded = (): SdxlTextEmbedder => {
        if (embedder) return embedder;
        throw new SdxlError(ErrorCode.MODEL_NOT_MATERIALIZED, `${NAME}: the text encoders load in the loadModels hook; use the TextEmbedder from the precompute hook on`, { plugin: NAME });
      };
      // why: registered in environment (resolved lazily) so a data plugin can check in configResolved that a text embedder exists.
      const provider: TextEmbedderType = {
        get id() {
          return loaded().id;
        },
        encode: (prompts) => loaded().encode(prompts),
      };
      const free = (): void => {
        if (!embedder || embedder.disposed) return;
        const { textEncoder, textEncoder2 } = embedder.components;
        const megabytes = ((textEncoder.parameterCount() + textEncoder2.parameterCount()) * 4) / 2 ** 20;
        embedder.dispose();
        for (const name of TEXT_COMPONENTS) trainer.models.delete(name);
        trainer.logger.info(`freed the text encoders (${megabytes.toFixed(1)} MiB of float32 weights)`);
      };

      trainer.hooks.environment.tap(NAME, () => {
        trainer.container.register(TextEmbedder, { useValue: provider });
      });
      trainer.hooks.loadModels.tapPromise(NAME, async (models) => {
        const started = performance.now();
        embedder = await loadSdxlTextEmbedder(trainer.modelSources, { batchSize, hub: { cacheDir }, logger: trainer.logger });
        const { tokenizer, tokenizer2, textEncoder, textEncoder2 } = embedder.components;
        models.set('tokenizer', tokenizer);
        models.set('tokenizer_2', tokenizer2);
        models.set('text_encoder', textEncoder);
        models.set('text_encoder_2', textEncoder2);
        const params = textEncoder.parameterCount() + textEncoder2.parameterCount();
        trainer.logger.info(`text encoders loaded: ${(params / 1e6).toFixed(1)} M parameters, frozen, float32 (${((performance.now() - started) / 1000).toFixed(1)} s)`, {
          textEmbedderId: embedder.id,
        });
      });
      if (proportionEmptyPrompts > 0 && emptyPromptMode === 'encode') tapEncodeMode(trainer, proportionEmptyPrompts);
      if (proportionEmptyPrompts > 0 && emptyPromptMode === 'zero') tapZeroMode(trainer, proportionEmptyPrompts);
      trainer.hooks.precompute.tapPromise({ name: NAME, stage: Stage.POST }, async (dataset) => {
        free();
        return dataset;
      });
      trainer.hooks.shutdown.tapPromise(NAME, async () => free());
    },
  };
}

/** Mode `encode`: rows drawn once per (seed, row) train on the caption "" (embedded like any caption). */
function tapEncodeMode(trainer: Trainer, proportion: number): void {
  let rows = 0;
  let dropped = 0;
  getSdxlHooks(trainer).caption.tap(NAME, (cell, { row, seed }) => {
    rows++;
    if (!isPromptDropped(proportion, seed, row)) return cell;
    dropped++;
    return '';
  });
  trainer.hooks.precompute.tapPromise({ name: NAME, stage: Stage.REPORT }, async (dataset) => {
    if (rows === 0) {
      trainer.logger.warn(`proportionEmptyPrompts ${proportion} had no effect: no data plugin asked for the captions through getSdxlHooks(trainer).caption`);
    } else {
      trainer.logger.info(`proportion_empty_prompts ${proportion}: ${dropped} of ${rows} captions replaced by "" for the whole run (seed ${trainer.state.seed})`);
    }
    return dataset;
  });
}

/** Mode `zero`: every micro-step, each sample's conditioning is zeroed with probability `proportion`. */
function tapZeroMode(trainer: Trainer, proportion: number): void {
  // why: micro-batches of one optimizer step share its `metrics` object, so the fraction spans the whole step.
  const counts = new WeakMap<object, { dropped: number; seen: number }>();
  getSdxlHooks(trainer).conditioning.tap({ name: NAME, stage: Stage.DEFAULT }, (conditioning, context) => {
    const dropped = dropMask(context.rng.get(NAME), conditioning.promptEmbeds.shape[0], proportion);
    const step = counts.get(context.metrics) ?? { dropped: 0, seen: 0 };
    step.dropped += dropped.filter(Boolean).length;
    step.seen += dropped.length;
    counts.set(context.metrics, step);
    context.metrics[EMPTY_PROMPT_FRACTION] = step.dropped / step.seen;
    return zeroDroppedConditioning(conditioning, dropped);
  });
}
