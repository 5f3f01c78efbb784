import { checkpoint } from '@sdxl-trainer/tensor';
import type { BlockRuntime, BlockWrapper } from '../blocks/BlockRuntime.js';
import { PretrainedModel } from './PretrainedModel.js';

/** The diffusers release whose model code this package follows; written when a config has no version of its own. */
export const DIFFUSERS_VERSION = '0.27.2';

/**
 * What the diffusers models here share: the diffusers folder layout, memory-efficient (query-chunked) attention and
 * gradient checkpointing switches, and config.json written as diffusers' `save_config` does.
 */
export abstract class DiffusersModel extends PretrainedModel {
  readonly weightsFormat = 'diffusers' as const;
  /**
   * Queries per attention chunk: attention runs a chunk at a time in the forward and the backward pass, so the full
   * [tokens × tokens] attention matrix never exists (diffusers' `--enable_xformers_memory_efficient_attention`).
   * Same numbers; undefined (default) for the plain path.
   */
  attentionChunkSize: number | undefined;
  #wrapper: BlockWrapper | null = null;

  /** Sets {@link attentionChunkSize} (undefined or 0 turns chunking off). */
  setAttentionChunkSize(size: number | undefined): this {
    if (size !== undefined && (!Number.isInteger(size) || size < 0)) throw new RangeError(`attention chunk size must be a non-negative integer, got ${size}`);
    this.attentionChunkSize = size === 0 ? undefined : size;
    return this;
  }

  /**
   * Wraps every ResnetBlock2D and BasicTransformerBlock call with `wrapper` (null removes it): diffusers' gradient
   * checkpointing granularity. The block's trainable weights are explicit inputs of the wrapped function.
   */
  setBlockWrapper(wrapper: BlockWrapper | null): this {
    this.#wrapper = wrapper;
    return this;
  }

  /** Gradient checkpointing (diffusers `enable_gradient_checkpointing()`) with @sdxl-trainer/tensor's `checkpoint`. */
  enableGradientCheckpointing(): this {
    return this.setBlockWrapper(checkpoint);
  }

  /** Back to keeping every block's activations for the backward pass. */
  disableGradientCheckpointing(): this {
    return this.setBlockWrapper(null);
  }

  /** Whether a block wrapper (gradient checkpointing) is set. */
  get isGradientCheckpointing(): boolean {
    return this.#wrapper !== null;
  }

  /** How blocks run in the next forward pass. */
  protected runtime(): BlockRuntime {
    return { attentionChunkSize: this.attentionChunkSize, wrapper: this.#wrapper };
  }

  /**
   * config.json as diffusers' `to_json_string` writes it: the source config's keys with the resolved values,
   * `_class_name` this class, `_diffusers_version` the source's (or {@link DIFFUSERS_VERSION}), and without
   * `_use_default_values` / `_ignore_files`.
   */
  protected diffusersConfigJson(raw: Readonly<Record<string, unknown>>, resolved: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const json: Record<string, unknown> = { ...raw, ...resolved, _class_name: this.className, _diffusers_version: raw._diffusers_version ?? DIFFUSERS_VERSION };
    delete json._use_default_values;
    delete json._ignore_files;
    return json;
  }
}
