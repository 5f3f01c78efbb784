import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { selectRepoFiles } from './selectRepoFiles.js';

/**
 * The file list of stabilityai/stable-diffusion-xl-base-1.0 (main). Sources, found with the search tool in public
 * GitHub code: (1) a download script listing the `resolve/main/<path>` URL of every file of the repo (its signed CDN
 * URLs expire in September 2023); (2) a `HfApi.model_info(files_metadata=True)` dump of the repo's files over 1 MiB,
 * which adds the four Flax `*.msgpack` files. Everything else in (2) is in (1).
 */
const SDXL_BASE = [
  '.gitattributes', '01.png', 'LICENSE.md', 'README.md', 'comparison.png', 'files.txt', 'model_index.json', 'pipeline.png',
  'sd_xl_base_1.0.safetensors', 'sd_xl_base_1.0_0.9vae.safetensors', 'sd_xl_offset_example-lora_1.0.safetensors',
  'scheduler/scheduler_config.json',
  'text_encoder/config.json', 'text_encoder/flax_model.msgpack', 'text_encoder/model.fp16.safetensors', 'text_encoder/model.onnx',
  'text_encoder/model.safetensors', 'text_encoder/openvino_model.bin', 'text_encoder/openvino_model.xml',
  'text_encoder_2/config.json', 'text_encoder_2/flax_model.msgpack', 'text_encoder_2/model.fp16.safetensors', 'text_encoder_2/model.onnx',
  'text_encoder_2/model.onnx_data', 'text_encoder_2/model.safetensors', 'text_encoder_2/openvino_model.bin', 'text_encoder_2/openvino_model.xml',
  'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
  'tokenizer_2/merges.txt', 'tokenizer_2/special_tokens_map.json', 'tokenizer_2/tokenizer_config.json', 'tokenizer_2/vocab.json',
  'unet/config.json', 'unet/diffusion_flax_model.msgpack', 'unet/diffusion_pytorch_model.fp16.safetensors', 'unet/diffusion_pytorch_model.safetensors',
  'unet/model.onnx', 'unet/model.onnx_data', 'unet/openvino_model.bin', 'unet/openvino_model.xml',
  'vae/config.json', 'vae/diffusion_flax_model.msgpack', 'vae/diffusion_pytorch_model.fp16.safetensors', 'vae/diffusion_pytorch_model.safetensors',
  'vae_1_0/config.json', 'vae_1_0/diffusion_pytorch_model.fp16.safetensors', 'vae_1_0/diffusion_pytorch_model.safetensors',
  'vae_decoder/config.json', 'vae_decoder/model.onnx', 'vae_decoder/openvino_model.bin', 'vae_decoder/openvino_model.xml',
  'vae_encoder/config.json', 'vae_encoder/model.onnx', 'vae_encoder/openvino_model.bin', 'vae_encoder/openvino_model.xml',
];
/** The component keys of that repo's model_index.json (list-valued keys other than `_class_name`). */
const SDXL_COMPONENTS = ['scheduler', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'unet', 'vae'];

/**
 * runwayml/stable-diffusion-v1-5: the weight files come from source (2) above; the small files (configs, tokenizer
 * files, model card) are reconstructed from the diffusers layout of that pipeline.
 */
const SD15 = [
  '.gitattributes', 'README.md', 'model_index.json', 'v1-inference.yaml',
  'v1-5-pruned-emaonly.ckpt', 'v1-5-pruned-emaonly.safetensors', 'v1-5-pruned.ckpt', 'v1-5-pruned.safetensors',
  'feature_extractor/preprocessor_config.json',
  'safety_checker/config.json', 'safety_checker/model.fp16.safetensors', 'safety_checker/model.safetensors',
  'safety_checker/pytorch_model.bin', 'safety_checker/pytorch_model.fp16.bin',
  'scheduler/scheduler_config.json',
  'text_encoder/config.json', 'text_encoder/model.fp16.safetensors', 'text_encoder/model.safetensors',
  'text_encoder/pytorch_model.bin', 'text_encoder/pytorch_model.fp16.bin',
  'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
  'unet/config.json', 'unet/diffusion_pytorch_model.bin', 'unet/diffusion_pytorch_model.fp16.bin',
  'unet/diffusion_pytorch_model.fp16.safetensors', 'unet/diffusion_pytorch_model.non_ema.bin',
  'unet/diffusion_pytorch_model.non_ema.safetensors', 'unet/diffusion_pytorch_model.safetensors',
  'vae/config.json', 'vae/diffusion_pytorch_model.bin', 'vae/diffusion_pytorch_model.fp16.bin',
  'vae/diffusion_pytorch_model.fp16.safetensors', 'vae/diffusion_pytorch_model.safetensors',
];
const SD15_COMPONENTS = ['feature_extractor', 'safety_checker', 'scheduler', 'text_encoder', 'tokenizer', 'unet', 'vae'];

/** Sharded weights as in stabilityai/stable-diffusion-3.5-large (shards from source (2); index and config names reconstructed). */
const SHARDED = [
  'model_index.json',
  'text_encoder_3/config.json', 'text_encoder_3/model-00001-of-00002.safetensors', 'text_encoder_3/model-00002-of-00002.safetensors',
  'text_encoder_3/model.fp16-00001-of-00002.safetensors', 'text_encoder_3/model.fp16-00002-of-00002.safetensors',
  'text_encoder_3/model.safetensors.index.json', 'text_encoder_3/model.safetensors.index.fp16.json',
  'transformer/config.json', 'transformer/diffusion_pytorch_model-00001-of-00002.safetensors',
  'transformer/diffusion_pytorch_model-00002-of-00002.safetensors', 'transformer/diffusion_pytorch_model.safetensors.index.json',
];

function code(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof SdxlError ? error.code : String(error);
  }
  return undefined;
}

// The expected lists apply diffusers' DiffusionPipeline.download rules (pipelines/pipeline_utils.py, commit
// 58eb52c) by hand: model_index.json at the root; per model folder (a folder with weight files) its config.json and
// the safetensors weights of the variant, or the plain ones when that folder has no variant file
// (variant_compatible_siblings); `*.bin`, `*.msgpack`, `*.onnx`, `*.pb` ignored because safetensors exist
// (_get_ignore_patterns); every file of the other component folders (`{k}/*`); folders not in model_index.json skipped.
describe('selectRepoFiles on stabilityai/stable-diffusion-xl-base-1.0', () => {
  const common = [
    'model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/config.json', 'text_encoder_2/config.json',
    'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
    'tokenizer_2/merges.txt', 'tokenizer_2/special_tokens_map.json', 'tokenizer_2/tokenizer_config.json', 'tokenizer_2/vocab.json',
    'unet/config.json', 'vae/config.json',
  ];

  it('picks the plain safetensors weights without a variant (18 of the 58 files)', () => {
    const { files, skipped } = selectRepoFiles(SDXL_BASE, { components: SDXL_COMPONENTS });
    const weights = ['text_encoder/model.safetensors', 'text_encoder_2/model.safetensors', 'unet/diffusion_pytorch_model.safetensors', 'vae/diffusion_pytorch_model.safetensors'];
    expect(files).toEqual([...common, ...weights].sort());
    expect(skipped).toEqual([]);
  });

  it('picks the fp16 weights with variant fp16', () => {
    const { files } = selectRepoFiles(SDXL_BASE, { components: SDXL_COMPONENTS, variant: 'fp16' });
    const weights = [
      'text_encoder/model.fp16.safetensors', 'text_encoder_2/model.fp16.safetensors',
      'unet/diffusion_pytorch_model.fp16.safetensors', 'vae/diffusion_pytorch_model.fp16.safetensors',
    ];
    expect(files).toEqual([...common, ...weights].sort());
    expect(files.some((f) => /\.(bin|msgpack|onnx|onnx_data|xml)$/.test(f))).toBe(false);
  });

  it('refuses a variant no component has, naming the ones present', () => {
    expect(code(() => selectRepoFiles(SDXL_BASE, { components: SDXL_COMPONENTS, variant: 'bf16' }))).toBe(ErrorCode.HUB_VARIANT_NOT_FOUND);
    expect(() => selectRepoFiles(SDXL_BASE, { components: SDXL_COMPONENTS, variant: 'bf16', repoId: 'stabilityai/sdxl' })).toThrow(/variant "bf16".*fp16/);
  });

  it('without model_index.json looks at every folder: vae_1_0 comes too, ONNX-only folders are skipped', () => {
    const { files, skipped } = selectRepoFiles(SDXL_BASE, { variant: 'fp16' });
    expect(files).toContain('vae_1_0/diffusion_pytorch_model.fp16.safetensors');
    expect(files).not.toContain('sd_xl_base_1.0.safetensors');
    expect(skipped.map((s) => s.folder)).toEqual(['vae_decoder', 'vae_encoder']);
  });

  it('loads one component with subfolders', () => {
    const { files } = selectRepoFiles(SDXL_BASE, { subfolders: ['unet'], variant: 'fp16' });
    expect(files).toEqual(['unet/config.json', 'unet/diffusion_pytorch_model.fp16.safetensors']);
    expect(code(() => selectRepoFiles(SDXL_BASE, { subfolders: ['transformer'] }))).toBe(ErrorCode.HUB_FILE_NOT_FOUND);
  });

  it('applies allow/ignore patterns before the weight rules', () => {
    const ignored = selectRepoFiles(SDXL_BASE, { components: SDXL_COMPONENTS, variant: 'fp16', ignorePatterns: ['unet/*.fp16.safetensors'] });
    expect(ignored.files).toContain('unet/diffusion_pytorch_model.safetensors');
    expect(ignored.files).toContain('vae/diffusion_pytorch_model.fp16.safetensors');
    const allowed = selectRepoFiles(SDXL_BASE, { components: SDXL_COMPONENTS, allowPatterns: ['unet/*', 'vae/'] });
    expect(allowed.files).toEqual(['unet/config.json', 'unet/diffusion_pytorch_model.safetensors', 'vae/config.json', 'vae/diffusion_pytorch_model.safetensors']);
  });

  it('mode all keeps every file that passes the patterns', () => {
    expect(selectRepoFiles(SDXL_BASE, { mode: 'all' }).files).toHaveLength(SDXL_BASE.length);
    expect(selectRepoFiles(SDXL_BASE, { mode: 'all', allowPatterns: ['*.png'] }).files).toEqual(['01.png', 'comparison.png', 'pipeline.png']);
  });
});

describe('selectRepoFiles on other layouts', () => {
  it('falls back per component to plain weights (SD 1.5, variant non_ema exists only for the UNet)', () => {
    const { files } = selectRepoFiles(SD15, { components: SD15_COMPONENTS, variant: 'non_ema' });
    expect(files).toEqual([
      'feature_extractor/preprocessor_config.json', 'model_index.json',
      'safety_checker/config.json', 'safety_checker/model.safetensors', 'scheduler/scheduler_config.json',
      'text_encoder/config.json', 'text_encoder/model.safetensors',
      'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
      'unet/config.json', 'unet/diffusion_pytorch_model.non_ema.safetensors',
      'vae/config.json', 'vae/diffusion_pytorch_model.safetensors',
    ]);
  });

  it('takes every shard and the matching index', () => {
    const fp16 = selectRepoFiles(SHARDED, { components: ['text_encoder_3', 'transformer'], variant: 'fp16' }).files;
    expect(fp16).toEqual([
      'model_index.json', 'text_encoder_3/config.json',
      'text_encoder_3/model.fp16-00001-of-00002.safetensors', 'text_encoder_3/model.fp16-00002-of-00002.safetensors',
      'text_encoder_3/model.safetensors.index.fp16.json',
      'transformer/config.json', 'transformer/diffusion_pytorch_model-00001-of-00002.safetensors',
      'transformer/diffusion_pytorch_model-00002-of-00002.safetensors', 'transformer/diffusion_pytorch_model.safetensors.index.json',
    ]);
    const plain = selectRepoFiles(SHARDED, { components: ['text_encoder_3'] }).files;
    expect(plain).toEqual([
      'model_index.json', 'text_encoder_3/config.json', 'text_encoder_3/model-00001-of-00002.safetensors',
      'text_encoder_3/model-00002-of-00002.safetensors', 'text_encoder_3/model.safetensors.index.json',
    ]);
  });

  it('understands the legacy sharded variant names when no current-style file exists', () => {
    const legacy = ['unet/config.json', 'unet/diffusion_pytorch_model-00001-of-00002.fp16.safetensors',
      'unet/diffusion_pytorch_model-00002-of-00002.fp16.safetensors', 'unet/diffusion_pytorch_model.safetensors.fp16.index.json',
      'unet/diffusion_pytorch_model.safetensors'];
    expect(selectRepoFiles(legacy, { subfolders: ['unet'], variant: 'fp16' }).files).toEqual([
      'unet/config.json', 'unet/diffusion_pytorch_model-00001-of-00002.fp16.safetensors',
      'unet/diffusion_pytorch_model-00002-of-00002.fp16.safetensors', 'unet/diffusion_pytorch_model.safetensors.fp16.index.json',
    ]);
  });

  it('handles a single-model repo at the root (stabilityai/sdxl-vae: weights from source (2), small files reconstructed)', () => {
    const vae = ['.gitattributes', 'README.md', 'config.json', 'diffusion_pytorch_model.bin', 'diffusion_pytorch_model.safetensors', 'sdxl_vae.safetensors'];
    expect(selectRepoFiles(vae).files).toEqual(['config.json', 'diffusion_pytorch_model.safetensors']);
  });

  it('explains components without usable safetensors', () => {
    const binOnly = ['model_index.json', 'unet/config.json', 'unet/diffusion_pytorch_model.bin'];
    expect(code(() => selectRepoFiles(binOnly, { components: ['unet'] }))).toBe(ErrorCode.HUB_NO_SAFETENSORS);
    expect(() => selectRepoFiles(binOnly, { components: ['unet'] })).toThrow(/folder "unet" has no \.safetensors weights \(found diffusion_pytorch_model\.bin\)/);
    expect(selectRepoFiles(binOnly).skipped).toEqual([{ folder: 'unet', reason: expect.stringContaining('no .safetensors') }]);
    const fp16Only = ['unet/config.json', 'unet/diffusion_pytorch_model.fp16.safetensors'];
    expect(() => selectRepoFiles(fp16Only, { subfolders: ['unet'] })).toThrow(/only as variant "fp16"; pass --variant fp16/);
  });
});
