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

export { withParameterTensors } from './nn/withParameterTensors.js';
export { chunkedAttention } from './functional/chunkedAttention.js';
export { timestepEmbedding, type TimestepEmbeddingOptions } from './functional/timestepEmbedding.js';
export { upsampleNearest } from './functional/upsampleNearest.js';
export { configValues } from './pretrained/configValues.js';
export { DIFFUSERS_VERSION, DiffusersModel } from './pretrained/DiffusersModel.js';

export { PLAIN_RUNTIME, type BlockRuntime, type BlockWrapper } from './blocks/BlockRuntime.js';
export { DIFFUSERS_ACTIVATIONS, diffusersActivation } from './blocks/diffusersActivation.js';
export { ResnetBlock2D, type ResnetBlock2DOptions, type TimeEmbeddingNorm } from './blocks/ResnetBlock2D.js';
export type { CrossAttentionSettings, ResnetSettings } from './blocks/ResnetSettings.js';
export { Downsample2D } from './blocks/Downsample2D.js';
export { Upsample2D } from './blocks/Upsample2D.js';
export { Attention, type AttentionOptions as DiffusersAttentionOptions } from './blocks/Attention.js';
export { GEGLU } from './blocks/GEGLU.js';
export { FeedForward } from './blocks/FeedForward.js';
export { BasicTransformerBlock, type BasicTransformerBlockOptions } from './blocks/BasicTransformerBlock.js';
export { Transformer2DModel, type Transformer2DModelOptions } from './blocks/Transformer2DModel.js';
export { TimestepEmbedding } from './blocks/TimestepEmbedding.js';
export { DownBlock2D, type DownBlockOutput } from './blocks/DownBlock2D.js';
export { CrossAttnDownBlock2D } from './blocks/CrossAttnDownBlock2D.js';
export { UpBlock2D, type UpBlockChannels } from './blocks/UpBlock2D.js';
export { CrossAttnUpBlock2D } from './blocks/CrossAttnUpBlock2D.js';
export { UNetMidBlock2DCrossAttn } from './blocks/UNetMidBlock2DCrossAttn.js';
export { UNetMidBlock2D } from './blocks/UNetMidBlock2D.js';
export { UpDecoderBlock2D } from './blocks/UpDecoderBlock2D.js';

export { AutoencoderKL, type AutoencoderKLConfigInput } from './vae/AutoencoderKL.js';
export { AUTOENCODER_KL_DEFAULTS, parseAutoencoderKLConfig, type AutoencoderKLConfig } from './vae/AutoencoderKLConfig.js';
export { DiagonalGaussianDistribution } from './vae/DiagonalGaussianDistribution.js';
export { Encoder } from './vae/Encoder.js';
export { Decoder } from './vae/Decoder.js';

export { UNet2DConditionModel, type UNet2DConditionConfigInput, type UNetAddedConditions } from './unet/UNet2DConditionModel.js';
export {
  parseUNet2DConditionConfig,
  UNET_2D_CONDITION_DEFAULTS,
  UNET_2D_CONDITION_FIXED_FIELDS,
  type UNet2DConditionConfig,
  type UNetDownBlockType,
  type UNetMidBlockType,
  type UNetUpBlockType,
} from './unet/UNet2DConditionConfig.js';
export { planUNetBlocks, type UNetBlockPlan, type UNetPlan } from './unet/planUNetBlocks.js';
