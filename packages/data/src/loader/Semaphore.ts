/** A counting semaphore with FIFO waiters and a high-water mark of permits in use. */
export class Semaphore {
  #free: number;
  #inUse = 0;
  #maxInUse = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`permits must be a positive integer, got ${permits}`);
    this.#free = permits;
  }

  /** Permits held right now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Most permits ever held at once. */
  get maxInUse(): number {
    return this.#maxInUse;
  }

  /** Run `fn` holding one permit. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#inUse++;
    this.#maxInUse = Math.max(this.#maxInUse, this.#inUse);
    try {
      return await fn();
    } finally {
      this.#inUse--;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
