import type { StateDict } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import * as tf from '@tensorflow/tfjs-core';
import { tensorRefSchema } from './checkpointFormat.js';

/** Plugin state split for writing: JSON with `{ "$tensor": name }` where the tensors were, and the tensors by name. */
export interface SplitPluginState {
  readonly json: Record<string, Record<string, unknown>>;
  readonly tensors: Map<string, tf.Tensor>;
}

/**
 * Replace every tensor leaf of the plugins' state dicts with a reference named `<stateKey>/<path>`; everything else
 * must be JSON (finite numbers, strings, booleans, null, arrays, plain objects), or this names the plugin and path.
 */
export function splitPluginState(plugins: Readonly<Record<string, StateDict>>): SplitPluginState {
  const tensors = new Map<string, tf.Tensor>();
  const json: Record<string, Record<string, unknown>> = {};
  for (const [key, state] of Object.entries(plugins)) {
    const visit = (value: unknown, path: readonly string[]): unknown => {
      const where = () => `plugin "${key}" state at ${path.length ? path.join('.') : '(root)'}`;
      if (value instanceof tf.Tensor) {
        let name = [key, ...path].join('/');
        while (tensors.has(name)) name += '#';
        tensors.set(name, value);
        return { $tensor: name };
      }
      if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
      if (typeof value === 'number') {
        if (Number.isFinite(value)) return value;
        throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `${where()} is ${value}; JSON cannot hold it, so it would not come back on resume`, { plugin: key });
      }
      if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, String(i)]));
      if (isPlainObject(value)) {
        if (tensorRefSchema.safeParse(value).success) throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `${where()} uses the reserved key "$tensor"`, { plugin: key });
        return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, visit(v, [...path, k])]));
      }
      throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `${where()} is ${describe(value)}; a state dict holds JSON values and tf.Tensor leaves only`, { plugin: key });
    };
    json[key] = visit(state, []) as Record<string, unknown>;
  }
  return { json, tensors };
}

/** Put tensors back where {@link splitPluginState} left references; a missing tensor names the checkpoint file. */
export function joinPluginState(json: Readonly<Record<string, Record<string, unknown>>>, tensors: ReadonlyMap<string, tf.Tensor>, file: string): Record<string, StateDict> {
  const visit = (value: unknown): unknown => {
    const ref = tensorRefSchema.safeParse(value);
    if (ref.success) {
      const tensor = tensors.get(ref.data.$tensor);
      if (!tensor) throw new SdxlError(ErrorCode.CHECKPOINT_INVALID, `${file} has no tensor "${ref.data.$tensor}", which the plugin state refers to`, { details: { file, tensor: ref.data.$tensor } });
      return tensor;
    }
    if (Array.isArray(value)) return value.map(visit);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
    return value;
  };
  return Object.fromEntries(Object.entries(json).map(([key, state]) => [key, visit(state) as StateDict]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'non-plain object'}`;
  return `a ${typeof value}`;
}
