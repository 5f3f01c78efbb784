// why: the weight file names diffusers recognises (diffusers utils/constants.py WEIGHTS_NAME,
// SAFETENSORS_WEIGHTS_NAME, ONNX_WEIGHTS_NAME, ONNX_EXTERNAL_WEIGHTS_NAME, FLAX_WEIGHTS_NAME and transformers'
// pytorch_model.bin / model.safetensors / flax_model.msgpack), and the variant rules of
// pipelines/pipeline_loading_utils.py `variant_compatible_siblings`.
const PREFIX = '(?:diffusion_pytorch_model|model|weights|pytorch_model)';
const ANY_PREFIX = '(?:diffusion_pytorch_model|model|weights|pytorch_model|diffusion_flax_model|flax_model)';
const SHARD = '\\d{5}-of-\\d{5}';

const ANY_WEIGHT = new RegExp(`^${ANY_PREFIX}(?:[.-].+)?\\.(?:bin|safetensors|onnx|pb|msgpack)$`);
const PLAIN_SAFETENSORS = new RegExp(`^${PREFIX}(?:-${SHARD})?\\.safetensors$`);
const PLAIN_INDEX = new RegExp(`^${PREFIX}\\.safetensors\\.index\\.json$`);
const SOME_VARIANT_SAFETENSORS = new RegExp(`^${PREFIX}\\.([^.]+?)(?:-${SHARD})?\\.safetensors$|^${PREFIX}-${SHARD}\\.([^.]+)\\.safetensors$`);

/** Whether a file name (no folder) is a model weight file in any format, variant or shard. */
export function isWeightName(name: string): boolean {
  return ANY_WEIGHT.test(name);
}

/** Safetensors weights and their index without a variant: `model.safetensors`, `model-00001-of-00002.safetensors`. */
export function pickPlainSafetensors(names: readonly string[]): string[] {
  return names.filter((name) => PLAIN_SAFETENSORS.test(name) || PLAIN_INDEX.test(name));
}

/**
 * Safetensors weights and index of `variant`, in diffusers' current naming (`model.fp16.safetensors`,
 * `model.fp16-00001-of-00002.safetensors`, `model.safetensors.index.fp16.json`); when there are none, in the
 * legacy sharded naming (`model-00001-of-00002.fp16.safetensors`, `model.safetensors.fp16.index.json`).
 */
export function pickVariantSafetensors(names: readonly string[], variant: string): string[] {
  const v = variant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const current = [new RegExp(`^${PREFIX}\\.(?:${v}|${v}-${SHARD})\\.safetensors$`), new RegExp(`^${PREFIX}\\.safetensors\\.index\\.${v}\\.json$`)];
  const legacy = [new RegExp(`^${PREFIX}-${SHARD}\\.${v}\\.safetensors$`), new RegExp(`^${PREFIX}\\.safetensors\\.${v}\\.index\\.json$`)];
  const picked = names.filter((name) => current.some((re) => re.test(name)));
  const weights = picked.filter((name) => name.endsWith('.safetensors'));
  if (weights.length > 0) return picked;
  return names.filter((name) => legacy.some((re) => re.test(name)));
}

/** The variants present among safetensors weights (e.g. `fp16`, `non_ema`), sorted. */
export function safetensorsVariants(names: readonly string[]): string[] {
  const variants = new Set<string>();
  for (const name of names) {
    const match = SOME_VARIANT_SAFETENSORS.exec(name);
    const variant = match?.[1] ?? match?.[2];
    if (variant !== undefined && !/^\d{5}-of-\d{5}$/.test(variant)) variants.add(variant);
  }
  return [...variants].sort();
}
