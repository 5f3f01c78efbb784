export { startLocalHub, LOCAL_HUB_TOKEN } from './localHub/startLocalHub.js';
export { isLfsByDefault } from './localHub/isLfsByDefault.js';
export { gitBlobOid, lfsPointer, sha256Hex } from './localHub/gitObjects.js';
export type {
  AddRepoOptions,
  CommitRecord,
  Fault,
  LocalHub,
  LocalHubOptions,
  LocalRepoFiles,
  LocalRepoType,
  RecordedRequest,
  SeedRepo,
} from './localHub/types.js';
export { sdxlTinyFixture, sdxlTinyRepoFiles } from './sharedFixtures.js';
export * from './localWandb/index.js';
