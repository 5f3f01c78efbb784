export { SeededRandom } from './random/SeededRandom.js';
export type { RandomSource } from './random/RandomSource.js';

export { Module, type LoadStateOptions } from './nn/Module.js';
export { ModuleList } from './nn/ModuleList.js';
export { Parameter, type ParameterOptions } from './nn/Parameter.js';
export { conv2dLayout, identityLayout, linearLayout, type ParameterLayout } from './nn/ParameterLayout.js';
export { Init, sampleInit } from './nn/Init.js';
export type { StateDict, StateTensor } from './nn/StateDict.js';
export { checkStateKeys } from './nn/checkStateKeys.js';
export { Linear, type LinearOptions } from './nn/Linear.js';
export { LayerNorm, type LayerNormOptions } from './nn/LayerNorm.js';
export { GroupNorm, type GroupNormOptions } from './nn/GroupNorm.js';
export { Embedding, type EmbeddingOptions } from './nn/Embedding.js';
export { Conv2d, type Conv2dOptions, type Size2 } from './nn/Conv2d.js';

export { ACTIVATIONS, gelu, geluTanh, quickGelu, relu, silu, type Activation } from './functional/activations.js';
export { layerNorm } from './functional/layerNorm.js';
export { groupNorm } from './functional/groupNorm.js';
export { mergeHeads, scaledDotProductAttention, splitHeads, type AttentionOptions } from './functional/attention.js';

export { ConfigReader } from './pretrained/ConfigReader.js';
export { readTransformersCommon } from './pretrained/readTransformersCommon.js';
export { PretrainedModel, type SaveOptions } from './pretrained/PretrainedModel.js';
export type { PretrainedOptions } from './pretrained/PretrainedOptions.js';
export { loadPretrained, type PretrainedRecipe } from './pretrained/loadPretrained.js';
export { resolveModelFiles, type ModelFiles } from './pretrained/resolveModelFiles.js';
export { readConfigJson } from './pretrained/readConfigJson.js';
export { DEFAULT_MAX_SHARD_BYTES, WEIGHTS_BASE_NAME, type WeightsFormat } from './pretrained/WeightsFormat.js';

export { CLIP_TEXT_CONFIG_DEFAULTS, parseCLIPTextConfig, type CLIPHiddenAct, type CLIPTextConfig } from './clip/CLIPTextConfig.js';
export { CLIPTextModel, type CLIPTextConfigInput, type CLIPTextModelOutput } from './clip/CLIPTextModel.js';
export { CLIPTextModelWithProjection, type CLIPTextModelWithProjectionOutput } from './clip/CLIPTextModelWithProjection.js';
export { CLIP_TRANSFORMERS_VERSION, CLIPTextPretrainedModel } from './clip/CLIPTextPretrainedModel.js';
export { CLIPTextTransformer, type CLIPTextForwardOptions, type CLIPTextTransformerOutput } from './clip/CLIPTextTransformer.js';
export { CLIPTextEmbeddings } from './clip/CLIPTextEmbeddings.js';
export { CLIPEncoder } from './clip/CLIPEncoder.js';
export { CLIPEncoderLayer } from './clip/CLIPEncoderLayer.js';
export { CLIPAttention } from './clip/CLIPAttention.js';
export { CLIPMLP } from './clip/CLIPMLP.js';
export { eosPositions } from './clip/eosPositions.js';
