import { Rng, type RngState } from '@sdxl-trainer/tensor';

/**
 * Named random streams derived from one run seed. Each consumer (data order, timesteps, noise, a plugin)
 * draws from its own stream, so adding a plugin that draws random numbers never changes the others.
 */
export class RngStreams {
  readonly #streams = new Map<string, Rng>();

  constructor(readonly seed: number) {}

  /** The stream of that name, created on first use. */
  get(name: string): Rng {
    let rng = this.#streams.get(name);
    if (!rng) {
      rng = Rng.fromSeed(this.seed, name);
      this.#streams.set(name, rng);
    }
    return rng;
  }

  /** The state of every stream drawn from so far, for a checkpoint. */
  stateDict(): Record<string, RngState> {
    return Object.fromEntries([...this.#streams].map(([name, rng]) => [name, rng.getState()]));
  }

  /** Continue every stream of a checkpoint exactly where it was. */
  loadStateDict(state: Readonly<Record<string, RngState>>): void {
    for (const [name, streamState] of Object.entries(state)) this.get(name).setState(streamState);
  }
}
