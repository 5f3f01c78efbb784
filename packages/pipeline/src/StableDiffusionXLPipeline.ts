import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { resolveRepo, type DownloadProgress } from '@sdxl-trainer/hub';
import type { AutoencoderKL, CLIPTextModel, CLIPTextModelWithProjection, UNet2DConditionModel } from '@sdxl-trainer/models';
import { EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import type { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import { denoise } from './denoise.js';
import { disposePromptEmbeddings, encodePrompt, type EncodePromptOptions, type PromptEmbeddings } from './encodePrompt.js';
import { loadPipelineComponents } from './loadPipelineComponents.js';
import type { OutputType, PipelineCallOptions, PipelineImages, PipelineOutput } from './PipelineCallOptions.js';
import type { PipelineComponents } from './PipelineComponents.js';
import { decodeLatents, toUint8 } from './postprocess.js';
import { resolveCallSettings } from './resolveCallSettings.js';
import { randomSeed, seededLatents } from './seededLatents.js';

/** Where {@link StableDiffusionXLPipeline.fromPretrained} reads the model. */
export interface PipelineLoadOptions {
  /** Weights variant, e.g. `fp16` (upcast to float32 on load); components without it load their plain weights. */
  readonly variant?: string | undefined;
  /** Hub branch, tag or commit (default `main`). */
  readonly revision?: string | undefined;
  /** Hugging Face cache folder (default HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub). */
  readonly cacheDir?: string | undefined;
  /** Hub token (default HF_TOKEN, then the `huggingface-cli login` file). */
  readonly token?: string | undefined;
  /** Only the cache, no network (default HF_HUB_OFFLINE). */
  readonly offline?: boolean | undefined;
  /** Hub URL (default HF_ENDPOINT, else https://huggingface.co). */
  readonly endpoint?: string | undefined;
  /** Queries per attention chunk in every model (memory-efficient attention, same numbers). */
  readonly attentionChunkSize?: number | undefined;
  /** Download progress of a Hub model. */
  readonly onDownloadProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/** Where a pipeline loaded from a folder came from. */
export interface PipelineSource {
  /** The local folder read (a Hub model's snapshot folder in the cache). */
  readonly path: string;
  readonly repoId: string | undefined;
  readonly commit: string | undefined;
  /** model_index.json entries present but not loaded (IP-Adapter's image_encoder / feature_extractor, unknown keys). */
  readonly ignoredComponents: readonly string[];
  /** Models that had no weights of the requested variant and loaded their plain weights. */
  readonly variantFallbacks: readonly string[];
}

/**
 * diffusers' StableDiffusionXLPipeline (text-to-image) on TensorFlow.js: dual-CLIP prompt encoding, classifier-free
 * guidance with SDXL's micro-conditioning, Euler sampling and the VAE decode, matching diffusers 0.27.2 in float32.
 */
export class StableDiffusionXLPipeline {
  readonly vae: AutoencoderKL;
  readonly textEncoder: CLIPTextModel | null;
  readonly textEncoder2: CLIPTextModelWithProjection | null;
  readonly tokenizer: CLIPTokenizer | null;
  readonly tokenizer2: CLIPTokenizer | null;
  readonly unet: UNet2DConditionModel;
  readonly scheduler: EulerDiscreteScheduler;
  readonly forceZerosForEmptyPrompt: boolean;
  /** 2^(len(vae.block_out_channels) − 1): pixels per latent (8 for SDXL). */
  readonly vaeScaleFactor: number;
  /** Set by fromPretrained; null for a pipeline built from components. */
  readonly source: PipelineSource | null;
  #disposed = false;

  /** A pipeline over models already in memory (e.g. training validation with the UNet being trained). */
  constructor(components: PipelineComponents, source: PipelineSource | null = null) {
    this.vae = components.vae;
    this.textEncoder = components.textEncoder;
    this.textEncoder2 = components.textEncoder2;
    this.tokenizer = components.tokenizer;
    this.tokenizer2 = components.tokenizer2;
    this.unet = components.unet;
    this.scheduler = components.scheduler;
    this.forceZerosForEmptyPrompt = components.forceZerosForEmptyPrompt ?? true;
    this.vaeScaleFactor = 2 ** (components.vae.config.block_out_channels.length - 1);
    this.source = source;
  }

  /**
   * Loads every component of a diffusers StableDiffusionXLPipeline folder — a local path, or a Hub id such as
   * `stabilityai/stable-diffusion-xl-base-1.0` resolved into the Hugging Face cache (offline: from the cache).
   * model_index.json decides the classes; unsupported ones are refused by name.
   */
  static async fromPretrained(folderOrHubId: string, options: PipelineLoadOptions = {}): Promise<StableDiffusionXLPipeline> {
    const repo = await resolveRepo(folderOrHubId, {
      revision: options.revision,
      variant: options.variant,
      cacheDir: options.cacheDir,
      token: options.token,
      offline: options.offline,
      endpoint: options.endpoint,
      onProgress: options.onDownloadProgress,
    });
    const loaded = await loadPipelineComponents(repo.path, { variant: options.variant, attentionChunkSize: options.attentionChunkSize });
    return new StableDiffusionXLPipeline(loaded.components, {
      path: repo.path,
      repoId: repo.repoId,
      commit: repo.commit,
      ignoredComponents: loaded.modelIndex.ignored,
      variantFallbacks: loaded.variantFallbacks,
    });
  }

  /** diffusers `encode_prompt` with this pipeline's tokenizers and text encoders; the caller owns the tensors. */
  encodePrompt(options: EncodePromptOptions): PromptEmbeddings {
    this.#checkAlive();
    return encodePrompt(this, options);
  }

  /** Generates images (diffusers `__call__`): prompt → latents → images, as plain arrays. */
  async call<T extends OutputType = 'uint8'>(options: PipelineCallOptions<T>): Promise<PipelineOutput<T>> {
    this.#checkAlive();
    const pooledWidth = this.textEncoder2?.config.projection_dim ?? options.pooledPromptEmbeds?.shape[1];
    if (pooledWidth === undefined) throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, 'a prompt needs text_encoder_2; without it pass pooledPromptEmbeds', { details: { field: 'prompt' } });
    const settings = resolveCallSettings(options, { unet: this.unet, vaeScaleFactor: this.vaeScaleFactor, pooledWidth });
    const scheduler = EulerDiscreteScheduler.fromConfig(this.scheduler.config);
    scheduler.setTimesteps(settings.numInferenceSteps);

    const owned: tf.Tensor[] = [];
    let embeddings: PromptEmbeddings | undefined;
    try {
      embeddings = this.encodePrompt({ ...options, doClassifierFreeGuidance: settings.doClassifierFreeGuidance, numImagesPerPrompt: settings.numImagesPerPrompt });
      const batch = embeddings.promptEmbeds.shape[0];
      const latentShape = [batch, settings.height / this.vaeScaleFactor, settings.width / this.vaeScaleFactor, this.unet.config.in_channels] as const;
      let seeds: number[] | null = null;
      let noise: tf.Tensor4D;
      if (options.latents !== undefined) {
        checkLatents(options.latents, latentShape);
        noise = options.latents;
      } else {
        const base = options.seed ?? randomSeed();
        seeds = Array.from({ length: batch }, (_, i) => base + i);
        noise = seededLatents(seeds, latentShape[1], latentShape[2], latentShape[3]);
        owned.push(noise);
      }
      // why: prepare_latents multiplies the initial noise by the scheduler's init_noise_sigma.
      const start = track(owned, tf.tidy(() => tf.mul(noise, tf.scalar(scheduler.initNoiseSigma, 'float32')) as tf.Tensor4D));
      const cfg = settings.doClassifierFreeGuidance;
      const context = cfg ? track(owned, tf.concat([embeddings.negativePromptEmbeds!, embeddings.promptEmbeds], 0) as tf.Tensor3D) : embeddings.promptEmbeds;
      const textEmbeds = cfg ? track(owned, tf.concat([embeddings.negativePooledPromptEmbeds!, embeddings.pooledPromptEmbeds], 0) as tf.Tensor2D) : embeddings.pooledPromptEmbeds;
      // why: diffusers builds add_time_ids as [negative; positive] and then `.repeat(batch, 1)`, so with guidance the
      // rows alternate negative, positive (not all negatives first like the embeddings). Identical unless
      // negativeOriginalSize / negativeTargetSize differ and batch > 1; kept as diffusers does it.
      const rows = Array.from({ length: batch }, () => (cfg ? [settings.negativeAddTimeIds, settings.addTimeIds] : [settings.addTimeIds])).flat();
      const timeIds = track(owned, tf.tensor2d(rows.map((row) => [...row]), [rows.length, settings.addTimeIds.length], 'float32'));

      const final = track(owned, await denoise({ ...settings, unet: this.unet, scheduler, latents: start, encoderHiddenStates: context, textEmbeds, timeIds, onStep: options.onStep, signal: options.signal }));
      const latents = { data: (await final.data()) as Float32Array, shape: [...final.shape] as [number, number, number, number] };
      let images: NhwcImages = null;
      if (settings.outputType !== 'latent') {
        const decoded = track(owned, decodeLatents(this.vae, final));
        const data = (await decoded.data()) as Float32Array;
        const shape = [...decoded.shape] as [number, number, number, number];
        images = settings.outputType === 'float' ? { data, shape } : { data: toUint8(data), shape };
      }
      return { images: images as PipelineImages<T>, latents, seeds, width: settings.width, height: settings.height, warnings: embeddings.warnings };
    } finally {
      tf.dispose(owned);
      if (embeddings !== undefined) disposePromptEmbeddings(embeddings);
    }
  }

  /** Frees every model's weights (tokenizers and the scheduler hold none). The pipeline cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const model of [this.unet, this.vae, this.textEncoder, this.textEncoder2]) model?.dispose();
  }

  #checkAlive(): void {
    if (this.#disposed) throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, 'this StableDiffusionXLPipeline was disposed; load it again', { details: {} });
  }
}

type NhwcImages = PipelineImages<'uint8'> | PipelineImages<'float'> | null;

function track<T extends tf.Tensor>(owned: tf.Tensor[], tensor: T): T {
  owned.push(tensor);
  return tensor;
}

/** Given latents must be float32 NHWC of the call's latent shape. */
function checkLatents(latents: tf.Tensor, shape: readonly number[]): void {
  if (latents.dtype !== 'float32' || latents.shape.join() !== shape.join()) {
    throw new SdxlError(
      ErrorCode.PIPELINE_INPUT_INVALID,
      `latents must be float32 NHWC [${shape.join(', ')}] (prompts × numImagesPerPrompt, height / vae factor, width / vae factor, unet in_channels), got ${latents.dtype} [${latents.shape.join(', ')}]`,
      { details: { field: 'latents', expected: shape, got: latents.shape } },
    );
  }
}
