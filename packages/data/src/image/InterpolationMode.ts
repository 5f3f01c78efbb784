import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * `--image_interpolation_mode`: the members of torchvision's `InterpolationMode`, lower-cased, as the SDXL script
 * offers them (`lanczos` is its default).
 */
export const INTERPOLATION_MODES = ['nearest', 'nearest_exact', 'bilinear', 'bicubic', 'box', 'hamming', 'lanczos'] as const;

/** One of {@link INTERPOLATION_MODES}. */
export type InterpolationMode = (typeof INTERPOLATION_MODES)[number];

/**
 * Which resize implementation runs: `sharp` (libvips; fast, the default) or `pil` (our port of Pillow's
 * `ImagingResample`, exact to Pillow, several times slower). Modes libvips has no kernel for always use `pil`.
 */
export type Resampler = 'sharp' | 'pil';

/** Pillow's filter for a mode, as torchvision's `pil_modes_mapping` maps it (NEAREST_EXACT → Pillow NEAREST). */
export type PilFilter = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

/** How one interpolation mode is carried out. */
export interface ResizePlan {
  readonly mode: InterpolationMode;
  readonly pilFilter: PilFilter;
  /** The libvips kernel used when the resampler is sharp, or undefined when the Pillow port runs. */
  readonly sharpKernel: 'linear' | 'cubic' | 'lanczos3' | undefined;
}

// why: torchvision/transforms/functional.py `pil_modes_mapping` — for PIL images NEAREST and NEAREST_EXACT both
// become Pillow's NEAREST (which samples pixel centres, i.e. it *is* the "exact" variant).
const PIL_FILTER: Readonly<Record<InterpolationMode, PilFilter>> = {
  nearest: 'nearest',
  nearest_exact: 'nearest',
  bilinear: 'bilinear',
  bicubic: 'bicubic',
  box: 'box',
  hamming: 'hamming',
  lanczos: 'lanczos',
};

// why: the libvips reduce kernels with the same formula as Pillow's filter, both widening the support by the
// downscale factor (antialiasing): triangle = BILINEAR, Catmull-Rom (a = -0.5) = BICUBIC, Lanczos a=3 = LANCZOS.
// The results still differ by rounding (libvips' fixed-point coefficients, its block pre-shrink for large
// factors), so these are approximations of Pillow; measured differences are in the README. Nearest is done by our
// exact port because it costs nothing; box and hamming have no libvips kernel.
const SHARP_KERNEL: Readonly<Partial<Record<InterpolationMode, 'linear' | 'cubic' | 'lanczos3'>>> = {
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

/** Parse `--image_interpolation_mode` (case-insensitive, as the script's getattr on the upper-cased name). */
export function parseInterpolationMode(value: string): InterpolationMode {
  const mode = value.toLowerCase();
  if (!(INTERPOLATION_MODES as readonly string[]).includes(mode)) {
    throw new SdxlError(ErrorCode.DATA_OPTION_INVALID, `image interpolation mode "${value}" is not one of ${INTERPOLATION_MODES.join(', ')}`, {
      details: { field: 'imageInterpolationMode', value, expected: INTERPOLATION_MODES },
    });
  }
  return mode as InterpolationMode;
}

/** How `mode` is resized with the requested resampler. */
export function resizePlan(mode: InterpolationMode, resampler: Resampler = 'sharp'): ResizePlan {
  return { mode, pilFilter: PIL_FILTER[mode], sharpKernel: resampler === 'sharp' ? SHARP_KERNEL[mode] : undefined };
}
