import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-node's `NodeJSKernelBackend` the tensorflow replacement kernels call. */
export interface TensorflowBackendInternals {
  readonly binding: {
    readonly TF_ATTR_INT: number;
    readonly TF_ATTR_STRING: number;
    readonly TF_ATTR_BOOL: number;
    readonly TF_ATTR_TYPE: number;
    readonly TF_FLOAT: number;
  };
  /** Runs one TensorFlow op eagerly (`TFE_Execute`) and returns its single output. */
  executeSingleOutput(name: string, attrs: readonly OpAttr[], inputs: readonly TensorInfo[]): TensorInfo;
}

/** One TensorFlow op attribute as tfjs-node's binding takes it. */
export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: number | string | boolean | readonly number[];
}
