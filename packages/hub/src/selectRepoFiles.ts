import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { filterPaths } from './fnmatch.js';
import { isWeightName, pickPlainSafetensors, pickVariantSafetensors, safetensorsVariants } from './weightNames.js';

/** `diffusers`: only what a diffusers-layout run loads; `all`: every file (after the patterns). */
export type SelectionMode = 'diffusers' | 'all';

/** What {@link selectRepoFiles} keeps. */
export interface SelectFilesOptions {
  readonly mode?: SelectionMode | undefined;
  /** Weight variant, e.g. `fp16` (diffusers' `--variant`): a component without one falls back to plain weights. */
  readonly variant?: string | undefined;
  /** Component folders named in model_index.json (pipeline repos); without it every top-level folder is looked at. */
  readonly components?: readonly string[] | undefined;
  /** Only these folders (`''` = the repo root), e.g. `['unet']` to load one model out of a pipeline repo. */
  readonly subfolders?: readonly string[] | undefined;
  /** huggingface_hub `allow_patterns` (fnmatch), applied before the rules above. */
  readonly allowPatterns?: readonly string[] | undefined;
  /** huggingface_hub `ignore_patterns` (fnmatch), applied before the rules above. */
  readonly ignorePatterns?: readonly string[] | undefined;
  /** Repo name used in error messages. */
  readonly repoId?: string | undefined;
}

/** A folder left out, and why (only in folder-scan mode; with components or subfolders it is an error). */
export interface SkippedFolder {
  readonly folder: string;
  readonly reason: string;
}

/** The files to fetch, sorted, and the folders left out. */
export interface FileSelection {
  readonly files: string[];
  readonly skipped: SkippedFolder[];
}

const ROOT_PIPELINE_FILES = new Set(['model_index.json', 'config.json', 'scheduler_config.json']);
// why: formats Node cannot load (pickle, Flax, ONNX, OpenVINO, TF), loose single-file checkpoints, docs and images.
const NEVER = /\.(?:bin|ckpt|pt|pth|pkl|msgpack|onnx|onnx_data|pb|h5|xml|safetensors|md|png|jpe?g|gif|webp)$|^\.gitattributes$/i;

/**
 * Picks the files of a repo listing that a diffusers-layout run needs, as `DiffusionPipeline.download` does
 * (diffusers pipelines/pipeline_utils.py): `model_index.json`; in each model folder (one holding weight files)
 * its `config.json` and only the `.safetensors` weights (+ `.safetensors.index.json`) of the requested variant,
 * falling back per component to the plain weights; every file of the other folders (scheduler, tokenizers) except
 * formats Node cannot use. `.bin`, `.ckpt`, Flax, ONNX and OpenVINO copies are never picked. Throws
 * HUB_VARIANT_NOT_FOUND when no component has the variant, and HUB_NO_SAFETENSORS when a component named in
 * `components`/`subfolders` has no usable safetensors weights.
 */
export function selectRepoFiles(paths: readonly string[], options: SelectFilesOptions = {}): FileSelection {
  const candidates = filterPaths(paths, options.allowPatterns, options.ignorePatterns);
  if ((options.mode ?? 'diffusers') === 'all') {
    const files = options.subfolders === undefined ? candidates : candidates.filter((p) => options.subfolders?.some((f) => inFolder(p, f)));
    return { files: [...files].sort(), skipped: [] };
  }
  const repo = options.repoId === undefined ? 'the repo' : options.repoId;
  const strict = options.components !== undefined || options.subfolders !== undefined;
  const folders = options.subfolders ?? options.components ?? [...new Set(candidates.map(topFolder))];
  const pipelineRoot = options.subfolders === undefined && options.components !== undefined;
  const files = new Set<string>();
  const skipped: SkippedFolder[] = [];
  let modelFolders = 0;
  let variantFound = false;

  if (pipelineRoot) for (const path of candidates) if (ROOT_PIPELINE_FILES.has(path)) files.add(path);
  for (const folder of new Set(folders)) {
    const inside = candidates.filter((p) => inFolder(p, folder));
    if (inside.length === 0) {
      if (options.subfolders !== undefined) {
        throw new SdxlError(ErrorCode.HUB_FILE_NOT_FOUND, `${repo} has no folder "${folder}" (asked for by subfolders).`, {
          details: { repo: options.repoId, folder },
        });
      }
      continue;
    }
    const prefix = folder === '' ? '' : `${folder}/`;
    const names = inside.filter((p) => !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length));
    if (!names.some(isWeightName)) {
      for (const path of inside) if (!NEVER.test(path.slice(path.lastIndexOf('/') + 1))) files.add(path);
      continue;
    }
    modelFolders += 1;
    const variantNames = options.variant === undefined ? [] : pickVariantSafetensors(names, options.variant);
    const chosen = variantNames.length > 0 ? variantNames : pickPlainSafetensors(names);
    if (!chosen.some((name) => name.endsWith('.safetensors'))) {
      const reason = missingWeightsReason(folder, names, options.variant);
      if (strict) {
        throw new SdxlError(ErrorCode.HUB_NO_SAFETENSORS, `${repo}: ${reason}`, { details: { repo: options.repoId, folder } });
      }
      skipped.push({ folder, reason });
      continue;
    }
    variantFound ||= variantNames.length > 0;
    if (names.includes('config.json')) files.add(`${prefix}config.json`);
    for (const name of chosen) files.add(prefix + name);
  }
  if (options.variant !== undefined && modelFolders > 0 && !variantFound) {
    throw new SdxlError(
      ErrorCode.HUB_VARIANT_NOT_FOUND,
      `${repo} has no weights of variant "${options.variant}" (looked for e.g. diffusion_pytorch_model.${options.variant}.safetensors). ` +
        `Variants present: ${describeVariants(candidates)}. Drop --variant to use the plain weights.`,
      { details: { repo: options.repoId, variant: options.variant } },
    );
  }
  return { files: [...files].sort(), skipped };
}

function topFolder(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function inFolder(path: string, folder: string): boolean {
  return folder === '' ? !path.includes('/') : path.startsWith(`${folder}/`);
}

function missingWeightsReason(folder: string, names: readonly string[], variant: string | undefined): string {
  const where = folder === '' ? 'the repo root' : `folder "${folder}"`;
  const variants = safetensorsVariants(names);
  if (variant === undefined && variants.length > 0) {
    return `${where} has safetensors weights only as variant ${variants.map((v) => `"${v}"`).join(', ')}; pass --variant ${variants[0]}.`;
  }
  const weights = names.filter(isWeightName).join(', ');
  return `${where} has no .safetensors weights (found ${weights}); Node cannot read pickle (.bin), Flax or ONNX weights — convert them to safetensors first.`;
}

function describeVariants(paths: readonly string[]): string {
  const variants = safetensorsVariants(paths.map((p) => p.slice(p.lastIndexOf('/') + 1)));
  return variants.length === 0 ? 'none' : variants.join(', ');
}
