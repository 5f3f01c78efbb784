import { Module } from './Module.js';

/** Children named "0", "1", ... as `torch.nn.ModuleList` names them. */
export class ModuleList<M extends Module> extends Module implements Iterable<M> {
  readonly #items: readonly M[];

  constructor(modules: readonly M[]) {
    super();
    this.#items = Object.freeze([...modules]);
    this.#items.forEach((module, index) => this.registerModule(String(index), module));
  }

  /** Number of children. */
  get length(): number {
    return this.#items.length;
  }

  /** The child at `index`. */
  at(index: number): M {
    const item = this.#items.at(index);
    if (item === undefined) throw new RangeError(`index ${index} is outside a ModuleList of ${this.#items.length}`);
    return item;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}
