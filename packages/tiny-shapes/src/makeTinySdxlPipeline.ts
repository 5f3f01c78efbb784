import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIPTextModel, CLIPTextModelWithProjection, UNet2DConditionModel, type PretrainedModel } from '@sdxl-trainer/models';
import { Rng } from '@sdxl-trainer/tensor';
import { buildFolderOnce, type BuiltFolder } from './buildFolderOnce.js';
import { clipVocabulary } from './clipVocabulary.js';
import { learnBpeMerges } from './learnBpeMerges.js';
import { makeTinyVae } from './makeTinyVae.js';
import { allCaptions } from './shapes.js';
import { tinySdxlConfigs } from './tinySdxlConfigs.js';
import { writeClipTokenizer } from './writeClipTokenizer.js';

/** Options of {@link makeTinySdxlPipeline}. */
export interface TinySdxlPipelineOptions {
  /** Seed of every weight (each component draws from its own stream of it; default 0). */
  readonly seed?: number;
  /** Image side the pipeline generates by default, a multiple of 8 (default 64). */
  readonly resolution?: number;
  /** Captions the tokenizers' merges are learnt from (default: every caption of the shapes dataset). */
  readonly captions?: readonly string[];
  /** Most merges to learn (default 200; fewer when the captions run out of pairs). */
  readonly maxMerges?: number;
}

/** The manifest format; bump when the weights or files change for the same options. */
const PIPELINE_FORMAT = 1;

/**
 * Writes a tiny SDXL-architecture pipeline in the diffusers folder layout, made from configs alone: tokenizers with a
 * small CLIP BPE vocabulary learnt from the captions, `text_encoder` (CLIPTextModel), `text_encoder_2`
 * (CLIPTextModelWithProjection), `unet` (UNet2DConditionModel with SDXL's blocks and text_time conditioning),
 * `vae` (AutoencoderKL with a narrow posterior and a unit-variance scaling factor, see {@link makeTinyVae}), `scheduler` (EulerDiscreteScheduler, SDXL's betas) and `model_index.json`
 * (StableDiffusionXLPipeline). Weights are initialised as transformers / PyTorch do, seeded, on the active tfjs
 * backend, and freed once written. Idempotent: a folder already made from the same options is left as it is.
 */
export async function makeTinySdxlPipeline(dir: string, options: TinySdxlPipelineOptions = {}): Promise<BuiltFolder> {
  const seed = options.seed ?? 0;
  const resolution = options.resolution ?? 64;
  const maxMerges = options.maxMerges ?? 200;
  const captions = options.captions ?? allCaptions();
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`makeTinySdxlPipeline: seed must be a non-negative integer, got ${seed}`);
  const words = captions.flatMap((caption) => caption.toLowerCase().match(/[a-z]+/g) ?? []);
  const vocabulary = clipVocabulary(learnBpeMerges(words, maxMerges));
  const configs = tinySdxlConfigs({ vocabSize: Object.keys(vocabulary.vocab).length, resolution });
  const manifest = { kind: 'tiny-shapes SDXL pipeline', format: PIPELINE_FORMAT, seed, resolution, maxMerges, captions: [...captions] };
  return buildFolderOnce(dir, manifest, async (tmp) => {
    await writeClipTokenizer(join(tmp, 'tokenizer'), vocabulary, '<|endoftext|>');
    await writeClipTokenizer(join(tmp, 'tokenizer_2'), vocabulary, '!');
    await save(CLIPTextModel.fromConfig(configs.textEncoder, Rng.fromSeed(seed, 'text_encoder')), join(tmp, 'text_encoder'));
    await save(CLIPTextModelWithProjection.fromConfig(configs.textEncoder2, Rng.fromSeed(seed, 'text_encoder_2')), join(tmp, 'text_encoder_2'));
    await save(UNet2DConditionModel.fromConfig(configs.unet, Rng.fromSeed(seed, 'unet')), join(tmp, 'unet'));
    await save(await makeTinyVae(configs.vae, seed, resolution), join(tmp, 'vae'));
    await mkdir(join(tmp, 'scheduler'));
    await writeFile(join(tmp, 'scheduler', 'scheduler_config.json'), `${JSON.stringify(configs.scheduler, null, 2)}\n`);
    await writeFile(join(tmp, 'model_index.json'), `${JSON.stringify(configs.modelIndex, null, 2)}\n`);
  });
}

async function save(model: PretrainedModel, folder: string): Promise<void> {
  try {
    await model.savePretrained(folder);
  } finally {
    model.dispose();
  }
}
