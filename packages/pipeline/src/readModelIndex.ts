import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** The components a StableDiffusionXLPipeline folder must hold, in diffusers' `__init__` order. */
export const REQUIRED_COMPONENTS = ['vae', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'unet', 'scheduler'] as const;

/** One required component's name. */
export type ComponentName = (typeof REQUIRED_COMPONENTS)[number];

/** The classes this package loads for each component (`[library, class]` as model_index.json writes them). */
export const SUPPORTED_CLASSES: Readonly<Record<ComponentName, readonly (readonly [string, string])[]>> = {
  vae: [['diffusers', 'AutoencoderKL']],
  text_encoder: [['transformers', 'CLIPTextModel']],
  text_encoder_2: [['transformers', 'CLIPTextModelWithProjection']],
  // why: the fast and slow CLIP tokenizers read the same vocab.json + merges.txt (or tokenizer.json) and give the same ids.
  tokenizer: [['transformers', 'CLIPTokenizer'], ['transformers', 'CLIPTokenizerFast']],
  tokenizer_2: [['transformers', 'CLIPTokenizer'], ['transformers', 'CLIPTokenizerFast']],
  unet: [['diffusers', 'UNet2DConditionModel']],
  scheduler: [['diffusers', 'EulerDiscreteScheduler']],
};

/** Components diffusers' SDXL pipeline accepts but only uses for IP-Adapter images: not loaded here. */
const OPTIONAL_COMPONENTS = new Set(['image_encoder', 'feature_extractor']);

/** What model_index.json says about a StableDiffusionXLPipeline folder. */
export interface ModelIndex {
  readonly path: string;
  /** `_diffusers_version`, when present. */
  readonly diffusersVersion: string | undefined;
  /** diffusers' `force_zeros_for_empty_prompt` (default true, as the pipeline's `__init__`). */
  readonly forceZerosForEmptyPrompt: boolean;
  /** `[library, class]` of every required component. */
  readonly components: Readonly<Record<ComponentName, readonly [string, string]>>;
  /** Present but unused entries (IP-Adapter's image_encoder / feature_extractor, unknown config keys), by name. */
  readonly ignored: readonly string[];
}

/**
 * Reads and checks `<folder>/model_index.json` (diffusers `DiffusionPipeline.from_pretrained`): the pipeline class
 * must be StableDiffusionXLPipeline and every component a class this package implements; anything else is refused
 * by name (PIPELINE_MODEL_INDEX_INVALID / PIPELINE_COMPONENT_UNSUPPORTED).
 */
export async function readModelIndex(folder: string): Promise<ModelIndex> {
  const path = join(folder, 'model_index.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SdxlError(
      missing ? ErrorCode.FILE_NOT_FOUND : ErrorCode.PIPELINE_MODEL_INDEX_INVALID,
      missing ? `${path} not found: a diffusers pipeline folder (e.g. stable-diffusion-xl-base-1.0) starts with model_index.json` : `${path}: cannot read (${(cause as Error).message})`,
      { details: { file: path }, cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SdxlError(ErrorCode.PIPELINE_MODEL_INDEX_INVALID, `${path}: not valid JSON (${(cause as Error).message})`, { details: { file: path }, cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SdxlError(ErrorCode.PIPELINE_MODEL_INDEX_INVALID, `${path}: expected a JSON object`, { details: { file: path } });
  }
  return parseModelIndex(json as Record<string, unknown>, path);
}

/** The checks of {@link readModelIndex} on an already parsed object (`path` names it in messages). */
export function parseModelIndex(json: Readonly<Record<string, unknown>>, path: string): ModelIndex {
  const invalid = (message: string, details: Record<string, unknown> = {}) =>
    new SdxlError(ErrorCode.PIPELINE_MODEL_INDEX_INVALID, `${path}: ${message}`, { details: { file: path, ...details } });
  const className = json._class_name;
  if (className !== 'StableDiffusionXLPipeline') {
    throw new SdxlError(
      ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED,
      `${path}: _class_name is ${JSON.stringify(className)}; only "StableDiffusionXLPipeline" (SDXL text-to-image) is supported` +
        (className === 'StableDiffusionXLImg2ImgPipeline' ? ' — an SDXL refiner or img2img folder is not' : ''),
      { details: { file: path, field: '_class_name', value: className } },
    );
  }
  const force = json.force_zeros_for_empty_prompt ?? true;
  if (typeof force !== 'boolean') throw invalid(`force_zeros_for_empty_prompt must be true or false, got ${JSON.stringify(force)}`, { field: 'force_zeros_for_empty_prompt' });

  const components = {} as Record<ComponentName, readonly [string, string]>;
  for (const name of REQUIRED_COMPONENTS) {
    const entry = json[name];
    if (entry === undefined) throw invalid(`no "${name}" entry; an SDXL pipeline needs ${REQUIRED_COMPONENTS.join(', ')}`, { field: name });
    const pair = componentPair(entry);
    if (pair === undefined) throw invalid(`"${name}" must be [library, class], got ${JSON.stringify(entry)}`, { field: name });
    if (pair === null) {
      throw new SdxlError(ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED, `${path}: "${name}" is [null, null]; this pipeline needs every one of ${REQUIRED_COMPONENTS.join(', ')}`, {
        details: { file: path, component: name },
      });
    }
    const supported = SUPPORTED_CLASSES[name];
    if (!supported.some(([library, cls]) => library === pair[0] && cls === pair[1])) {
      throw new SdxlError(
        ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED,
        `${path}: ${name} is ${pair[0]}.${pair[1]}; supported: ${supported.map(([library, cls]) => `${library}.${cls}`).join(', ')}`,
        { details: { file: path, component: name, library: pair[0], class: pair[1] } },
      );
    }
    components[name] = pair;
  }

  const ignored: string[] = [];
  const known = new Set<string>([...REQUIRED_COMPONENTS, 'force_zeros_for_empty_prompt']);
  for (const [key, value] of Object.entries(json)) {
    if (key.startsWith('_') || known.has(key)) continue;
    const pair = componentPair(value);
    if (OPTIONAL_COMPONENTS.has(key)) {
      if (pair !== null) ignored.push(key);
      continue;
    }
    if (pair !== undefined && pair !== null) {
      throw new SdxlError(ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED, `${path}: unknown component "${key}" (${pair[0]}.${pair[1]}); StableDiffusionXLPipeline has no such component`, {
        details: { file: path, component: key },
      });
    }
    ignored.push(key);
  }
  const version = json._diffusers_version;
  return { path, diffusersVersion: typeof version === 'string' ? version : undefined, forceZerosForEmptyPrompt: force, components, ignored };
}

/** `[library, class]` → the pair; `[null, null]` → null; anything else → undefined. */
function componentPair(entry: unknown): readonly [string, string] | null | undefined {
  if (!Array.isArray(entry) || entry.length !== 2) return undefined;
  const [library, cls] = entry as unknown[];
  if (library === null && cls === null) return null;
  return typeof library === 'string' && typeof cls === 'string' ? [library, cls] : undefined;
}
