import * as tf from '@tensorflow/tfjs-core';
import { AdamW, type NamedTensors, type Optimizer, type OptimizerSettings, type OptimizerState } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { BlockwiseQuantizer, type BucketizeMethod, type QuantizedTensor } from './BlockwiseQuantizer.js';
import { createCodeLookup, type CodeLookup } from './codeLookup.js';
import { createDynamicMap } from './dynamicMap.js';
import { hostStep, type StepScalars } from './hostStep.js';
import { findSavedMoment, momentKeys, padTo, toFloat, toQuantized, type SavedMoment } from './momentState.js';

/** How {@link Adam8bit} lays out its state. */
export interface Adam8bitLayout {
  /** Values per quantisation block (a multiple of 4; bitsandbytes ≥ 0.44 uses 256, earlier versions 2048). */
  readonly blockSize: number;
  /** Parameters with fewer values keep float32 moments (bitsandbytes' `min_8bit_size`). */
  readonly minEightBitSize: number;
  /** Force how codes are searched on the tfjs-ops path (default: SearchSorted when the backend has it). */
  readonly bucketize?: BucketizeMethod | undefined;
  /**
   * Where the step runs: `ops` (tfjs ops, any backend) or `host` (one fused JS pass over the tensors' host copies,
   * bit-identical). Default: `host` on cpu and wasm, whose tensors are in host memory, `ops` elsewhere.
   */
  readonly execution?: Adam8bitExecution | undefined;
}

/** See {@link Adam8bitLayout.execution}. */
export type Adam8bitExecution = 'ops' | 'host';

/** What an {@link Adam8bit} holds, for logs. */
export interface Adam8bitSummary {
  readonly eightBitTensors: number;
  readonly eightBitValues: number;
  readonly float32Tensors: number;
  readonly float32Values: number;
  /** Bytes of optimizer state on the device: codes, absmax and the float32 moments of small tensors. */
  readonly stateBytes: number;
}

interface QuantizedSlot {
  readonly variable: tf.Variable;
  readonly paddedSize: number;
  readonly expAvg: { readonly packed: tf.Variable; readonly absmax: tf.Variable };
  readonly expAvgSq: { readonly packed: tf.Variable; readonly absmax: tf.Variable };
}

/** The `extra.format` of this optimizer's state dict. */
export const ADAM_8BIT_STATE_FORMAT = 'adamw8bit-blockwise-dynamic/1';

/**
 * AdamW with 8-bit blockwise-quantised moments, after bitsandbytes' `AdamW8bit`: per step and parameter, exp_avg
 * (signed dynamic map) and exp_avg_sq (unsigned) are dequantised, updated with exactly the float32 ops of core's
 * AdamW (torch's update: decoupled decay, bias corrections, ε after the corrected sqrt), and requantised with a
 * fresh absmax per block. Codes live four to an int32, so each moment takes one byte per value on the device,
 * plus 4 bytes per block. Parameters under `minEightBitSize` values use core's float32 AdamW.
 */
export class Adam8bit implements Optimizer {
  readonly name = 'adamw8bit';
  #step = 0;
  readonly #float: AdamW;
  readonly #slots = new Map<string, QuantizedSlot>();
  readonly #signed: BlockwiseQuantizer;
  readonly #unsigned: BlockwiseQuantizer;
  readonly #floatNames: ReadonlySet<string>;
  #lookups: { readonly m: CodeLookup; readonly v: CodeLookup } | undefined;
  /** Where the steps run (see {@link Adam8bitLayout.execution}). */
  readonly execution: Adam8bitExecution;

  constructor(
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    private readonly settings: OptimizerSettings,
    private readonly layout: Adam8bitLayout,
  ) {
    const { blockSize, minEightBitSize } = layout;
    if (!(Number.isInteger(blockSize) && blockSize >= 4 && blockSize % 4 === 0) || !(Number.isInteger(minEightBitSize) && minEightBitSize >= 0)) {
      throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `Adam8bit needs blockSize a positive multiple of 4 and minEightBitSize a non-negative integer; got ${JSON.stringify(layout)}`);
    }
    const small = new Map([...variables].filter(([, v]) => v.size < minEightBitSize));
    // why: core's AdamW checks the settings and is, for the small tensors, exactly what bitsandbytes does (float32 state).
    this.#float = new AdamW(small, settings);
    this.#floatNames = new Set(small.keys());
    this.#signed = new BlockwiseQuantizer(createDynamicMap(true), layout.bucketize);
    this.#unsigned = new BlockwiseQuantizer(createDynamicMap(false), layout.bucketize);
    this.execution = layout.execution ?? (HOST_BACKENDS.has(tf.getBackend()) && LITTLE_ENDIAN ? 'host' : 'ops');
    // why: in a tidy, so the initial fill tensors are released: a variable shares its initial tensor's buffer, and
    // a tensor left alive would hold that buffer after the first assign (a second copy of the state).
    tf.tidy(() => {
      for (const [name, variable] of variables) {
        if (small.has(name)) continue;
        const paddedSize = Math.ceil(variable.size / blockSize) * blockSize;
        const moment = (label: string, zeroCode: number) => ({
          packed: tf.variable(tf.fill([paddedSize / 4], repeatedByte(zeroCode), 'int32'), false, `adamw8bit/${label}_codes/${name}/${uniqueId()}`),
          absmax: tf.variable(tf.zeros([paddedSize / blockSize]), false, `adamw8bit/${label}_absmax/${name}/${uniqueId()}`),
        });
        this.#slots.set(name, { variable, paddedSize, expAvg: moment('exp_avg', this.#signed.map.zeroCode), expAvgSq: moment('exp_avg_sq', this.#unsigned.map.zeroCode) });
      }
    });
  }

  step(gradients: NamedTensors, lr: number): void {
    for (const name of gradients.keys()) {
      if (!this.variables.has(name)) throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `gradient for "${name}", which is not a trained variable`);
    }
    this.#float.step(new Map([...gradients].filter(([name]) => this.#floatNames.has(name))), lr);
    this.#step += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    // why: the same float64 scalar factors as core's AdamW (torch's Python floats), used as float32 scalars.
    const stepSize = lr / (1 - beta1 ** this.#step);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** this.#step);
    if (this.execution === 'host') {
      const f = Math.fround;
      const scalars: StepScalars = {
        b1: f(beta1),
        oneMinusB1: f(1 - beta1),
        b2: f(beta2),
        oneMinusB2: f(1 - beta2),
        bc2: f(biasCorrection2Sqrt),
        eps: f(epsilon),
        negStep: f(-stepSize),
        decay: weightDecay === 0 ? undefined : f(1 - lr * weightDecay),
      };
      for (const [name, slot] of this.#slots) {
        const grad = gradients.get(name);
        if (grad) this.#hostUpdate(slot, grad, scalars);
      }
      return;
    }
    tf.tidy(() => {
      const s = {
        decay: tf.scalar(1 - lr * weightDecay),
        b1: tf.scalar(beta1),
        oneMinusB1: tf.scalar(1 - beta1),
        b2: tf.scalar(beta2),
        oneMinusB2: tf.scalar(1 - beta2),
        bc2: tf.scalar(biasCorrection2Sqrt),
        eps: tf.scalar(epsilon),
        negStep: tf.scalar(-stepSize),
      };
      for (const [name, slot] of this.#slots) {
        const grad = gradients.get(name);
        if (!grad) continue;
        // why: one tidy per parameter, so the float32 copies of m and v exist for one parameter at a time.
        tf.tidy(() => {
          const param = slot.variable;
          const g = padTo(tf.reshape(grad, [-1]) as tf.Tensor1D, slot.paddedSize);
          const mPrev = this.#signed.dequantize(slot.expAvg as QuantizedTensor);
          const vPrev = this.#unsigned.dequantize(slot.expAvgSq as QuantizedTensor);
          // The update of core's AdamW (torch `_single_tensor_adamw`), op for op, on the flat padded tensors.
          const m = tf.add(tf.mul(mPrev, s.b1), tf.mul(g, s.oneMinusB1)) as tf.Tensor1D;
          const v = tf.add(tf.mul(vPrev, s.b2), tf.mul(tf.mul(s.oneMinusB2, g), g)) as tf.Tensor1D;
          const denom = tf.add(tf.div(tf.sqrt(padTo(v, param.size)), s.bc2), s.eps);
          const decayed = weightDecay === 0 ? param : tf.mul(param, s.decay);
          param.assign(tf.add(decayed, tf.mul(tf.reshape(tf.div(padTo(m, param.size), denom), param.shape), s.negStep)));
          assignQuantized(slot.expAvg, this.#signed.quantize(m, this.layout.blockSize));
          assignQuantized(slot.expAvgSq, this.#unsigned.quantize(v, this.layout.blockSize));
        });
      }
    });
  }

  /** One parameter's step on the host: read the tensors once, update in one pass, write them back. */
  #hostUpdate(slot: QuantizedSlot, grad: tf.Tensor, scalars: StepScalars): void {
    // why: copies, since the cpu backend's dataSync returns its own arrays, which must not change under a tensor.
    const param = slot.variable.dataSync().slice() as Float32Array;
    const read = (q: QuantizedSlot['expAvg']) => {
      const packed = q.packed.dataSync().slice() as Int32Array;
      return { packed, codes: new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), absmax: q.absmax.dataSync().slice() as Float32Array };
    };
    const m = read(slot.expAvg);
    const v = read(slot.expAvgSq);
    this.#lookups ??= { m: createCodeLookup(this.#signed.map), v: createCodeLookup(this.#unsigned.map) };
    hostStep(param, grad.dataSync() as Float32Array, m, v, this.#lookups, scalars);
    tf.tidy(() => {
      slot.variable.assign(tf.tensor(param, slot.variable.shape));
      assignQuantized(slot.expAvg, { packed: tf.tensor1d(m.packed, 'int32'), absmax: tf.tensor1d(m.absmax) });
      assignQuantized(slot.expAvgSq, { packed: tf.tensor1d(v.packed, 'int32'), absmax: tf.tensor1d(v.absmax) });
    });
  }

  stateDict(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = { ...this.#float.stateDict().tensors };
    for (const [name, slot] of this.#slots) {
      for (const [moment, q] of [['exp_avg', slot.expAvg], ['exp_avg_sq', slot.expAvgSq]] as const) {
        const keys = momentKeys(moment, name);
        tensors[keys.codes] = q.packed;
        tensors[keys.absmax] = q.absmax;
      }
    }
    const { blockSize, minEightBitSize } = this.layout;
    return { step: this.#step, tensors, extra: { format: ADAM_8BIT_STATE_FORMAT, blockSize, minEightBitSize } };
  }

  /** Continue from a saved state: this optimizer's own, or one with another block size or min size, or float32 AdamW's. */
  loadStateDict(state: OptimizerState): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `optimizer state step must be a non-negative integer, got ${String(state.step)}`);
    // why: check every tensor before changing anything, so a bad checkpoint leaves the optimizer as it was.
    const find = (name: string): [SavedMoment, SavedMoment] => {
      const shape = this.variables.get(name)!.shape;
      return [findSavedMoment(state, 'exp_avg', name, shape), findSavedMoment(state, 'exp_avg_sq', name, shape)];
    };
    const floatSaved = [...this.#floatNames].map((name) => [name, find(name)] as const);
    const quantizedSaved = [...this.#slots.keys()].map((name) => [name, find(name)] as const);
    tf.tidy(() => {
      const floatTensors: Record<string, tf.Tensor> = {};
      for (const [name, [m, v]] of floatSaved) {
        const shape = this.variables.get(name)!.shape;
        floatTensors[momentKeys('exp_avg', name).float] = toFloat(m, this.#signed, shape);
        floatTensors[momentKeys('exp_avg_sq', name).float] = toFloat(v, this.#unsigned, shape);
      }
      this.#float.loadStateDict({ step: state.step, tensors: floatTensors });
      for (const [name, [m, v]] of quantizedSaved) {
        const slot = this.#slots.get(name)!;
        assignQuantized(slot.expAvg, toQuantized(m, this.#signed, this.layout.blockSize, slot.paddedSize));
        assignQuantized(slot.expAvgSq, toQuantized(v, this.#unsigned, this.layout.blockSize, slot.paddedSize));
      }
    });
    this.#step = state.step;
  }

  /** How many tensors and values are held in 8 bits and in float32, and the state's bytes. */
  summary(): Adam8bitSummary {
    const eightBitValues = [...this.#slots.values()].reduce((sum, slot) => sum + slot.variable.size, 0);
    const float32Values = [...this.#floatNames].reduce((sum, name) => sum + this.variables.get(name)!.size, 0);
    const codeBytes = [...this.#slots.values()].reduce((sum, slot) => sum + 2 * (slot.paddedSize + (4 * slot.paddedSize) / this.layout.blockSize), 0);
    return { eightBitTensors: this.#slots.size, eightBitValues, float32Tensors: this.#floatNames.size, float32Values, stateBytes: codeBytes + 8 * float32Values };
  }

  dispose(): void {
    this.#float.dispose();
    for (const slot of this.#slots.values()) {
      for (const t of [slot.expAvg.packed, slot.expAvg.absmax, slot.expAvgSq.packed, slot.expAvgSq.absmax]) t.dispose();
    }
    this.#slots.clear();
    this.#signed.dispose();
    this.#unsigned.dispose();
  }
}

function assignQuantized(target: QuantizedSlot['expAvg'], value: QuantizedTensor): void {
  // why: loading this optimizer's own live stateDict() would hand a variable to itself; assign would free it first.
  if (value.packed === target.packed) return;
  target.packed.assign(value.packed);
  target.absmax.assign(value.absmax);
}

/** The int32 whose four bytes are all `code` (the packed form of an all-zero moment). */
function repeatedByte(code: number): number {
  return new Int32Array(new Uint8Array([code, code, code, code]).buffer)[0]!;
}

/** Backends whose tensors live in host memory, where the fused host pass beats tfjs' int32 and gather kernels. */
const HOST_BACKENDS = new Set(['cpu', 'wasm']);
// why: the host pass reads the packed int32s as bytes, which are the codes in order only on little-endian machines.
const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

let counter = 0;
// why: tfjs variable names are global to the engine; two runs in one process must not collide.
function uniqueId(): number {
  return ++counter;
}
