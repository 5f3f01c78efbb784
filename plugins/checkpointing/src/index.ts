export { default } from './checkpointing.js';
export { checkpointingOptionsSchema, type CheckpointingOptions } from './checkpointingOptions.js';
export { CheckpointingApi, getCheckpointing } from './CheckpointingApi.js';
export { writeCheckpoint, type CheckpointWriter } from './writeCheckpoint.js';
export { readCheckpoint, type LoadedCheckpoint } from './readCheckpoint.js';
export { resolveResumeFolder } from './resolveResumeFolder.js';
export { recoverLeftovers, type LeftoverReport } from './recoverLeftovers.js';
export { checkpointName, checkpointsToRemove, listCheckpoints, type CheckpointFolder } from './checkpointFolders.js';
export { CHECKPOINT_FILES, CHECKPOINT_FORMAT_VERSION, trainerStateFileSchema, type TrainerStateFile } from './checkpointFormat.js';
