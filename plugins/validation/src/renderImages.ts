import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { NhwcArray, StableDiffusionXLPipeline } from '@sdxl-trainer/pipeline';

/** What {@link renderImages} draws. */
export interface RenderSettings {
  readonly prompt: string;
  readonly numImages: number;
  /** Image i starts from the noise of `seed + i`. */
  readonly seed: number;
  readonly numInferenceSteps: number;
  readonly guidanceScale: number;
  /** Pixels; undefined: the pipeline's default (unet sample_size × vae scale factor). */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}

/** The images of one validation, in order, with the seed of each. */
export interface RenderedImages {
  /** NHWC `[numImages, height, width, 3]` bytes. */
  readonly images: NhwcArray<Uint8Array>;
  readonly seeds: readonly number[];
  readonly width: number;
  readonly height: number;
  /** The pipeline's notes (a prompt truncated to 77 tokens), once each. */
  readonly warnings: readonly string[];
}

/**
 * Renders `numImages` images of one prompt, one pipeline call per image with seed `seed + i` — the seeds a batched
 * `pipeline.call({ seed, numImagesPerPrompt })` gives its images, so `sdxl-generate --seed <seed + i>` makes image i
 * again. One image at a time as the script does (its images are drawn one after another from one generator), which
 * also keeps the peak memory at one image's.
 */
export async function renderImages(pipeline: StableDiffusionXLPipeline, settings: RenderSettings): Promise<RenderedImages> {
  if (!Number.isInteger(settings.numImages) || settings.numImages < 1) {
    throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, `renderImages: numImages must be a positive integer, got ${settings.numImages}`, { details: { field: 'numImages', value: settings.numImages } });
  }
  const parts: Uint8Array[] = [];
  const seeds: number[] = [];
  const warnings = new Set<string>();
  let shape: readonly [number, number, number, number] | undefined;
  for (let i = 0; i < settings.numImages; i++) {
    const seed = settings.seed + i;
    const output = await pipeline.call({
      prompt: settings.prompt,
      seed,
      numImagesPerPrompt: 1,
      numInferenceSteps: settings.numInferenceSteps,
      guidanceScale: settings.guidanceScale,
      width: settings.width,
      height: settings.height,
    });
    parts.push(output.images.data);
    seeds.push(seed);
    shape = output.images.shape;
    for (const warning of output.warnings) warnings.add(warning);
  }
  const [, height, width, channels] = shape!;
  const data = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  parts.reduce((offset, part) => (data.set(part, offset), offset + part.length), 0);
  return { images: { data, shape: [parts.length, height, width, channels] }, seeds, width, height, warnings: [...warnings] };
}
