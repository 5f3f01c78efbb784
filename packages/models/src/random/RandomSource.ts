/**
 * What weight initialisation draws from: uniform numbers in [0, 1) and standard normals. `@sdxl-trainer/core`'s `Rng`
 * has this shape, so a trainer can pass its own stream; `Rng` of @sdxl-trainer/tensor is the built-in one.
 */
export interface RandomSource {
  /** Uniform number in [0, 1). */
  random(): number;
  /** Standard normal sample. */
  normal(): number;
}
