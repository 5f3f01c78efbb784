import type { RandomSource } from './RandomSource.js';

/**
 * A small seeded generator for weight initialisation: xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32,
 * normals by Box–Muller in pairs. The same algorithm and seeding as `@sdxl-trainer/core`'s `Rng`, written here because
 * models must not depend on core.
 *
 * why not tf.randomNormal: the same seed must give the same weights on every backend.
 */
export class SeededRandom implements RandomSource {
  readonly #s = new Uint32Array(4);
  #spare: number | null = null;

  /** A generator for a non-negative safe-integer seed. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    let x = (seed % 0x1_0000_0000) ^ Math.imul(Math.floor(seed / 0x1_0000_0000), 0x9e3779b9) ^ EMPTY_STREAM_HASH;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.#s[i] = z ^ (z >>> 16);
    }
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) this.#s[0] = 1; // why: all-zero is a fixed point
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Standard normal sample (Box–Muller; the second of each pair is kept for the next call). */
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
}

// why: core's Rng mixes in the FNV-1a hash of its stream name; the default stream is '', whose hash is the offset basis.
const EMPTY_STREAM_HASH = 0x811c9dc5;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
