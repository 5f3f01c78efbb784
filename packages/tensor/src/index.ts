export { AUTO_ORDER, OPTIONAL_PACKAGES, isBackendName, type BackendName, type ConcreteBackendName } from './BackendName.js';
export { initBackend, type BackendAttempt, type BackendReport, type InitBackendOptions } from './initBackend.js';
export { registerGradients } from './registerGradients.js';
export { installWasmBackend, type WasmInstallation, type WasmInstallOptions } from './installWasmBackend.js';
export { registerWasmKernels, unregisterWasmKernels, WASM_KERNEL_REPLACEMENTS } from './registerWasmKernels.js';
export { registerCpuKernels, unregisterCpuKernels, CPU_KERNEL_REPLACEMENTS } from './registerCpuKernels.js';
export { groupNorm, groupNormMoments } from './groupNorm.js';
export { checkpoint, type CheckpointBlock } from './checkpoint.js';
export {
  checkMemoryBudget,
  translateBackendError,
  withBackendErrors,
  WASM_HEAP_LIMIT_BYTES,
  type MemoryBudgetCheck,
} from './backendErrors.js';
