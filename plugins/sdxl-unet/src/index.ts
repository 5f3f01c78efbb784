export { default, NAME } from './sdxlUnet.js';
export { sdxlUnetOptionsSchema, type ResolvedSdxlUnetOptions, type SdxlUnetOptions } from './sdxlUnetOptions.js';
export { UNetDenoiser } from './UNetDenoiser.js';
export { saveDiffusersPipeline, type ComponentFolder, type PipelineComponentFolders, type SavePipelineOptions } from './saveDiffusersPipeline.js';
export { buildModelIndex, type ComponentClass } from './buildModelIndex.js';
export { SourceFolders, type LocalSource, type SourceFoldersOptions } from './SourceFolders.js';
export { addUnetCheckpointWriter, CHECKPOINT_WRITERS, type CheckpointWriters } from './unetCheckpointWriter.js';
