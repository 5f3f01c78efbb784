/** Serialisable state of an {@link Rng}: the four xoshiro128** words and the cached second normal. */
export interface RngState {
  readonly words: readonly [number, number, number, number];
  readonly spareNormal: number | null;
}

/**
 * A seeded random generator (xoshiro128**, Blackman & Vigna 2018) whose whole state serialises, so a
 * checkpoint can restore it exactly. Normals come from the Box–Muller transform in pairs; the second of a
 * pair is kept, so drawing 4 numbers then 4 more gives the same 8 numbers as drawing 8 at once.
 *
 * why our own generator and not tf.random*: the same seed must give the same numbers on every backend
 * (wasm, cpu, tensorflow), and the state must be saved and restored with a checkpoint.
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spare: number | null = null;

  private constructor(words: readonly [number, number, number, number]) {
    [this.#s0, this.#s1, this.#s2, this.#s3] = words.map((w) => w >>> 0) as [number, number, number, number];
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1; // why: the all-zero state is a fixed point
  }

  /** A generator seeded from an integer seed and an optional stream name (different names give independent streams). */
  static fromSeed(seed: number, stream = ''): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    // why: splitmix32 expands the seed, mixed with a hash of the stream name, into four well-mixed words.
    let x = (seed % 0x1_0000_0000) ^ Math.imul(Math.floor(seed / 0x1_0000_0000), 0x9e3779b9) ^ fnv1a(stream);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    return new Rng([next(), next(), next(), next()]);
  }

  /** A generator continuing from a saved state. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(state.words);
    rng.#spare = state.spareNormal;
    return rng;
  }

  /** The state to save; {@link Rng.fromState} or {@link Rng.setState} continues the sequence exactly. */
  getState(): RngState {
    return { words: [this.#s0, this.#s1, this.#s2, this.#s3], spareNormal: this.#spare };
  }

  /** Continue from a saved state. */
  setState(state: RngState): void {
    [this.#s0, this.#s1, this.#s2, this.#s3] = state.words.map((w) => w >>> 0) as [number, number, number, number];
    this.#spare = state.spareNormal;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [low, high), without modulo bias. */
  randint(low: number, high: number): number {
    const span = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || span <= 0 || span > 0x1_0000_0000) {
      throw new RangeError(`randint needs integers low < high with high - low <= 2^32, got [${low}, ${high})`);
    }
    // why: rejection sampling — reject draws from the incomplete top bucket so every value is equally likely.
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return low + (draw % span);
  }

  /** Standard normal sample. */
  normal(): number {
    if (this.#spare !== null) {
      const value = this.#spare;
      this.#spare = null;
      return value;
    }
    // why: 1 - random() is in (0, 1], so the log never sees 0.
    const radius = Math.sqrt(-2 * Math.log(1 - this.random()));
    const angle = 2 * Math.PI * this.random();
    this.#spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fill `out` with standard normal samples and return it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.randint(0, i + 1);
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    return order;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
