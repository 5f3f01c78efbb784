import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { RandomSource } from '../random/RandomSource.js';
import { checkStateKeys } from './checkStateKeys.js';
import type { Parameter } from './Parameter.js';
import { resolveStateKeys } from './resolveStateKeys.js';
import type { StateDict, StateTensor } from './StateDict.js';
import { Rng } from '@sdxl-trainer/tensor';

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateOptions {
  /** Name of the source for error messages (default "state dict"). */
  readonly source?: string;
}

/**
 * A tree of named parameters and sub-modules, named exactly as the PyTorch module tree (`torch.nn.Module`'s
 * `named_parameters()` order: own parameters first, then children in registration order). Subclasses register in their
 * constructor and add a `forward`. Construction allocates nothing: weights appear on `initialize` or `loadStateDict`.
 */
export abstract class Module {
  readonly #parameters = new Map<string, Parameter>();
  readonly #children = new Map<string, Module>();

  /** Registers a parameter under `name` (one path segment, e.g. "weight"). */
  protected registerParameter(name: string, parameter: Parameter): Parameter {
    this.#claim(name);
    this.#parameters.set(name, parameter);
    return parameter;
  }

  /** Registers a child module under `name` (one path segment, e.g. "q_proj" or "0"). */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.#claim(name);
    this.#children.set(name, module);
    return module;
  }

  /**
   * Checkpoint keys that are buffers, not parameters, and are skipped when loading (e.g. CLIP's
   * `text_model.embeddings.position_ids`, persistent in older transformers checkpoints). Full names from this module.
   */
  knownBuffers(): readonly string[] {
    return [];
  }

  /**
   * The current name of a checkpoint key an older library version spelled differently (diffusers renames the VAE's
   * `…attentions.0.query.weight` to `…to_q.weight` on load); every other key unchanged. Used by loadStateDict and
   * loadWeights, so both spellings load and saving always writes the current one.
   */
  currentKeyName(key: string): string {
    return key;
  }

  /** Every parameter with its full dotted name, in PyTorch order. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const result: [string, Parameter][] = [];
    for (const [name, parameter] of this.#parameters) result.push([prefix + name, parameter]);
    for (const [name, child] of this.#children) result.push(...child.namedParameters(`${prefix}${name}.`));
    return result;
  }

  /** Every sub-module with its full dotted name (this module first, as ''). */
  namedModules(prefix = ''): [string, Module][] {
    const result: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [name, child] of this.#children) result.push(...child.namedModules(`${prefix}${name}.`));
    return result;
  }

  /** PyTorch-layout shape of every parameter by name; works on a shape-only model. */
  parameterShapes(): Map<string, readonly number[]> {
    return new Map(this.namedParameters().map(([name, parameter]) => [name, parameter.shape]));
  }

  /** Number of parameter elements (`sum(p.numel() for p in model.parameters())`); `trainableOnly` counts trainable ones. */
  parameterCount(trainableOnly = false): number {
    let count = 0;
    for (const [, parameter] of this.namedParameters()) if (!trainableOnly || parameter.trainable) count += parameter.size;
    return count;
  }

  /** True when every parameter holds weights. */
  get isMaterialized(): boolean {
    return this.namedParameters().every(([, parameter]) => parameter.isMaterialized);
  }

  /** Marks every parameter trainable or frozen (tf.Variable.trainable). */
  setTrainable(trainable: boolean): this {
    for (const [, parameter] of this.namedParameters()) parameter.trainable = trainable;
    return this;
  }

  /** Fills every parameter from its initialiser, in PyTorch order, from a seed or a random source. */
  initialize(random: RandomSource | number): this {
    const source = typeof random === 'number' ? Rng.fromSeed(random) : random;
    for (const [, parameter] of this.namedParameters()) parameter.initialize(source);
    return this;
  }

  /** Every parameter in PyTorch layout by PyTorch name (new arrays). */
  async stateDict(): Promise<StateDict> {
    const state: StateDict = new Map();
    for (const [name, parameter] of this.namedParameters()) state.set(name, { shape: [...parameter.shape], data: await parameter.toPyTorch() });
    return state;
  }

  /**
   * Sets every parameter from PyTorch-layout tensors. Strict: a missing, unexpected or wrong-shape key is a
   * MODEL_WEIGHTS_MISMATCH naming them all, raised before any weight changes; {@link knownBuffers} may be present.
   */
  loadStateDict(state: ReadonlyMap<string, StateTensor> | Readonly<Record<string, StateTensor>>, options: LoadStateOptions = {}): this {
    const source = options.source ?? 'state dict';
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const names = resolveStateKeys(source, given.keys(), (key) => this.currentKeyName(key));
    const entries = new Map([...names].map(([name, key]) => [name, given.get(key)!]));
    const parameters = this.namedParameters();
    checkStateKeys(
      source,
      new Map(parameters.map(([name, parameter]) => [name, parameter.shape])),
      new Map([...entries].map(([name, tensor]) => [name, tensor.shape])),
      new Set(this.knownBuffers()),
    );
    for (const [name] of parameters) {
      const { data } = entries.get(name)!;
      if (!(data instanceof Float32Array)) {
        throw new SdxlError(ErrorCode.MODEL_WEIGHTS_MISMATCH, `${source}: "${name}" must hold a Float32Array, got ${Object.prototype.toString.call(data)}`, {
          details: { file: source, tensor: name },
        });
      }
    }
    for (const [name, parameter] of parameters) parameter.setFromPyTorch(entries.get(name)!.data);
    return this;
  }

  /** Frees every tf.Variable; the module goes back to shape-only. */
  dispose(): void {
    for (const [, parameter] of this.namedParameters()) parameter.dispose();
  }

  #claim(name: string): void {
    if (name === '' || name.includes('.')) throw new RangeError(`a parameter or module name is one path segment without dots, got "${name}"`);
    if (this.#parameters.has(name) || this.#children.has(name)) throw new RangeError(`"${name}" is registered twice`);
  }
}
