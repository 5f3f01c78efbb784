export { AUTO_ORDER, OPTIONAL_PACKAGES, isBackendName, type BackendName, type ConcreteBackendName } from './BackendName.js';
export { initBackend, type BackendAttempt, type BackendReport, type InitBackendOptions } from './initBackend.js';
export { registerGradients } from './registerGradients.js';
export { installWasmBackend, type WasmInstallation, type WasmInstallOptions } from './installWasmBackend.js';
export { registerWasmKernels, unregisterWasmKernels, WASM_KERNEL_REPLACEMENTS } from './registerWasmKernels.js';
export { registerCpuKernels, unregisterCpuKernels, CPU_KERNEL_REPLACEMENTS } from './registerCpuKernels.js';
export { registerTensorflowKernels, unregisterTensorflowKernels, TENSORFLOW_KERNEL_REPLACEMENTS } from './registerTensorflowKernels.js';
export { linkTensorflow, type LinkResult, type LinkTensorflowOptions } from './link/linkTensorflow.js';
export { linkedBuildsDir } from './link/linkedBuildsDir.js';
export { findLinkedBuild, listLinkedBuilds, type FoundBuild } from './link/linkedBuilds.js';
export { TFJS_NODE_PACKAGES, TFJS_NODE_VERSION, type LinkedBuild, type LinkedBuildManifest, type TensorflowDevice, type TensorflowSourceKind } from './link/LinkedBuild.js';
export { MIN_TENSORFLOW_VERSION } from './link/inspectTensorflow.js';
export { type TensorflowInfo } from './link/startTensorflow.js';
export { setTestBackend } from './setTestBackend.js';
export { groupNorm, groupNormMoments } from './groupNorm.js';
export { checkpoint, type CheckpointBlock } from './checkpoint.js';
export {
  checkMemoryBudget,
  translateBackendError,
  withBackendErrors,
  WASM_HEAP_LIMIT_BYTES,
  type MemoryBudgetCheck,
} from './backendErrors.js';
export { Rng, type RngState } from './random/Rng.js';
