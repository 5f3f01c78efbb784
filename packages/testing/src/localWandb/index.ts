export { startLocalWandb, LOCAL_WANDB_API_KEY } from './startLocalWandb.js';
export { parseExtendedJson } from './parseExtendedJson.js';
export type { LocalWandb, LocalWandbFault, LocalWandbOptions, LocalWandbRequest, LocalWandbRun } from './types.js';
