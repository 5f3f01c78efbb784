import { folderFingerprint } from '@sdxl-trainer/sdxl';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger, ModelSource, ModelSources } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { resolveRepo, type ResolveRepoOptions, type ResolvedRepo } from '@sdxl-trainer/hub';
import { CLIPTextModel, CLIPTextModelWithProjection, readConfigJson, WEIGHTS_BASE_NAME } from '@sdxl-trainer/models';
import { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import { SdxlTextEmbedder } from './SdxlTextEmbedder.js';

/** The model components the text encoding loads, by their diffusers folder names. */
export const TEXT_COMPONENTS = ['tokenizer', 'tokenizer_2', 'text_encoder', 'text_encoder_2'] as const;

/** Bumped when the encoding recipe changes what an embedding is (cache entries then miss). */
const RECIPE = 'sdxl-encode-prompt@1';

/** How {@link loadSdxlTextEmbedder} finds and loads the encoders. */
export interface LoadTextEmbedderOptions {
  /** Prompts per forward pass (default 8). */
  readonly batchSize?: number | undefined;
  /** Hub access for `org/name` sources: `cacheDir` (--cache_dir), `endpoint`, `token`, `offline`, … */
  readonly hub?: Omit<ResolveRepoOptions, 'revision' | 'variant' | 'subfolders' | 'type'> | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * Load both tokenizers and both text encoders (frozen, float32) from where the resolveModelFiles waterfall put them
 * — local folders or Hub ids (fetched into the Hugging Face cache) — and make the SDXL text embedder. Its `id`
 * names every component's source, revision (the resolved commit for Hub ids, a content fingerprint for local
 * folders) and variant, so a cache entry made with other encoders never matches.
 */
export async function loadSdxlTextEmbedder(sources: ModelSources, options: LoadTextEmbedderOptions = {}): Promise<SdxlTextEmbedder> {
  const missing = TEXT_COMPONENTS.filter((name) => sources[name] === undefined);
  if (missing.length > 0) {
    throw new SdxlError(
      ErrorCode.PLUGIN_MISSING_DEPENDENCY,
      `the SDXL text encoding needs the model sources ${missing.map((m) => `"${m}"`).join(', ')}, but the resolveModelFiles hook left them out: add the model plugin that provides --pretrained_model_name_or_path's components (e.g. @sdxl-trainer/plugin-sdxl-unet)`,
      { details: { missing } },
    );
  }
  const located = await locateComponents(sources, options.hub);
  const identity: Record<string, unknown> = { recipe: RECIPE };
  for (const name of TEXT_COMPONENTS) identity[name] = await describeComponent(located[name]!);

  const tokenizer = await CLIPTokenizer.fromPretrained(located.tokenizer!.root, { subfolder: located.tokenizer!.source.subfolder });
  const tokenizer2 = await CLIPTokenizer.fromPretrained(located.tokenizer_2!.root, { subfolder: located.tokenizer_2!.source.subfolder });
  const textEncoder = await loadEncoder(located.text_encoder!, 'text_encoder', options.logger);
  try {
    const textEncoder2 = await loadEncoder(located.text_encoder_2!, 'text_encoder_2', options.logger);
    if (!(textEncoder2 instanceof CLIPTextModelWithProjection)) {
      textEncoder2.dispose();
      throw new SdxlError(ErrorCode.MODEL_CONFIG_UNSUPPORTED, `text_encoder_2 (${located.text_encoder_2!.folder}) is a CLIPTextModel; SDXL's pooled prompt embeddings need a CLIPTextModelWithProjection (its text_embeds)`, {
        details: { file: join(located.text_encoder_2!.folder, 'config.json') },
      });
    }
    return new SdxlTextEmbedder({ tokenizer, tokenizer2, textEncoder, textEncoder2 }, JSON.stringify(identity), options.batchSize);
  } catch (error) {
    textEncoder.dispose();
    throw error;
  }
}

/** One component on disk: the folder `fromPretrained` reads (`root` + subfolder) and how it got there. */
interface LocatedComponent {
  readonly source: ModelSource;
  readonly root: string;
  readonly folder: string;
  readonly repo: ResolvedRepo;
}

/** Resolve every component's source, one `resolveRepo` per distinct (path, revision, variant) with all its subfolders. */
async function locateComponents(sources: ModelSources, hub: LoadTextEmbedderOptions['hub']): Promise<Record<string, LocatedComponent>> {
  const groups = new Map<string, (typeof TEXT_COMPONENTS)[number][]>();
  for (const name of TEXT_COMPONENTS) {
    const { path, revision, variant } = sources[name]!;
    const key = JSON.stringify([path, revision ?? null, variant ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  const located: Record<string, LocatedComponent> = {};
  for (const names of groups.values()) {
    const first = sources[names[0]!]!;
    const subfolders = names.map((name) => sources[name]!.subfolder);
    // why: a component without a subfolder is the repo itself, so the whole repo is needed.
    const wanted = subfolders.every((s) => s !== undefined && s !== '') ? (subfolders as string[]) : undefined;
    const repo = await resolveRepo(first.path, { ...hub, revision: first.revision, variant: first.variant, subfolders: wanted });
    for (const name of names) {
      const source = sources[name]!;
      located[name] = { source, root: repo.path, folder: source.subfolder ? join(repo.path, source.subfolder) : repo.path, repo };
    }
  }
  return located;
}

/** A component's identity: Hub id + commit (a snapshot never changes), or a local folder's content fingerprint. */
async function describeComponent(component: LocatedComponent): Promise<Record<string, unknown>> {
  const { source, repo, folder } = component;
  const common = { subfolder: source.subfolder ?? null, variant: source.variant ?? null };
  if (!repo.local && repo.commit !== undefined) return { repo: repo.repoId, commit: repo.commit, ...common };
  return { folder: resolve(folder), ...common, files: await folderFingerprint(folder) };
}

/**
 * A text encoder of the class its config.json names (the script's `import_model_class_from_model_name_or_path`:
 * CLIPTextModel or CLIPTextModelWithProjection, anything else refused). A requested variant the folder lacks falls
 * back to the plain weights, as the Hub download and diffusers pipelines do.
 */
async function loadEncoder(component: LocatedComponent, name: string, logger: Logger | undefined): Promise<CLIPTextModel | CLIPTextModelWithProjection> {
  const configPath = join(component.folder, 'config.json');
  const config = await readConfigJson(configPath);
  const architectures = config['architectures'];
  const architecture = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : name === 'text_encoder' ? 'CLIPTextModel' : 'CLIPTextModelWithProjection';
  if (architecture !== 'CLIPTextModel' && architecture !== 'CLIPTextModelWithProjection') {
    throw new SdxlError(ErrorCode.MODEL_CONFIG_UNSUPPORTED, `${configPath}: architectures[0] is "${architecture}"; ${name} must be a CLIPTextModel or CLIPTextModelWithProjection`, {
      details: { file: configPath, field: 'architectures', value: architecture },
    });
  }
  const requested = component.source.variant;
  const variant = requested && (await hasVariantWeights(component.folder, requested)) ? requested : undefined;
  if (requested && variant === undefined) logger?.warn(`${name} has no "${requested}" weights in ${component.folder}; loading its plain weights`);
  const options = { subfolder: component.source.subfolder, variant, trainable: false };
  return architecture === 'CLIPTextModel' ? CLIPTextModel.fromPretrained(component.root, options) : CLIPTextModelWithProjection.fromPretrained(component.root, options);
}

/** Whether `folder` holds transformers weights of `variant` (single file or sharded index). */
async function hasVariantWeights(folder: string, variant: string): Promise<boolean> {
  const base = WEIGHTS_BASE_NAME.transformers;
  for (const name of [`${base}.${variant}.safetensors`, `${base}.safetensors.index.${variant}.json`]) {
    const info = await stat(join(folder, name)).catch(() => undefined);
    if (info?.isFile()) return true;
  }
  return false;
}
