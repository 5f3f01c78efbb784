import sharp from 'sharp';
import type { ResizePlan } from './InterpolationMode.js';
import { cmykToRgb } from './cmykToRgb.js';
import { pilResample, type RawImage } from './pilResample.js';
import type { Size } from './resizedSize.js';

/** What the header of an encoded image says, read without decoding the pixels. */
export interface ImageProbe {
  /** Size after the EXIF orientation is applied (🤗 datasets' `exif_transpose`): `original_size` of the script. */
  readonly size: Size;
  readonly format: string;
  /** True when one libvips pass can decode and resize it with the same result as decoding to RGB first. */
  readonly simple: boolean;
  readonly cmyk: boolean;
}

// why: Pillow ignores embedded ICC profiles in convert("RGB"), so libvips must not colour-manage either.
// failOn 'warning' (sharp's default) makes a truncated JPEG fail as Pillow does without LOAD_TRUNCATED_IMAGES.
const INPUT = { ignoreIcc: true, autoOrient: true, failOn: 'warning' } as const;

/** Read the header of an image: its oriented size and what kind of decode it needs. Throws on a non-image. */
export async function probeImage(bytes: Uint8Array): Promise<ImageProbe> {
  const meta = await sharp(bytes, INPUT).metadata();
  const cmyk = meta.space === 'cmyk';
  // why: alpha must be dropped before resizing (Pillow's order; libvips would premultiply), and 16-bit images
  // must become 8-bit before resizing (Pillow opens them as 8-bit RGB); CMYK needs Pillow's own formula.
  const simple = !cmyk && !meta.hasAlpha && meta.depth === 'uchar' && (meta.space === 'srgb' || meta.space === 'b-w');
  return { size: { height: meta.autoOrient.height, width: meta.autoOrient.width }, format: meta.format, simple, cmyk };
}

/**
 * Decode to 8-bit RGB at full size, the way 🤗 datasets + Pillow's `convert("RGB")` do: EXIF orientation applied,
 * alpha dropped without compositing, grey replicated, palette expanded, 16-bit scaled to 8 (value >> 8), CMYK by
 * Pillow's formula, embedded ICC profiles ignored.
 */
export async function decodeRgb(bytes: Uint8Array, probe?: ImageProbe): Promise<RawImage> {
  const info = probe ?? (await probeImage(bytes));
  if (info.cmyk) {
    const { data, info: out } = await sharp(bytes, INPUT).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
    return cmykToRgb({ data, width: out.width, height: out.height, channels: 4 });
  }
  const { data, info: out } = await sharp(bytes, INPUT).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { data, width: out.width, height: out.height, channels: 3 };
}

/**
 * True when libvips may do this resize: it has a kernel for the mode and the image shrinks. Upscaling always runs
 * the Pillow port: libvips' upsampling interpolators place samples a quarter input pixel away from Pillow's
 * (measured: mean |Δ| ≈ 3 levels on a 2.1× enlargement, against ≈ 0.3 when shrinking).
 */
function sharpMay(from: Size, target: Size, plan: ResizePlan): plan is ResizePlan & { sharpKernel: NonNullable<ResizePlan['sharpKernel']> } {
  return plan.sharpKernel !== undefined && target.width <= from.width && target.height <= from.height;
}

/** Resize 8-bit RGB to `target` with the plan's libvips kernel when allowed (see `sharpMay`), else the Pillow port. */
export async function resizeRgb(image: RawImage, target: Size, plan: ResizePlan): Promise<RawImage> {
  if (image.width === target.width && image.height === target.height) return image;
  if (!sharpMay(image, target, plan)) return pilResample(image, target.width, target.height, plan.pilFilter);
  const raw = { width: image.width, height: image.height, channels: image.channels as 3 };
  const data = await sharp(image.data, { raw }).resize(target.width, target.height, { fit: 'fill', kernel: plan.sharpKernel }).raw().toBuffer();
  return { data, width: target.width, height: target.height, channels: 3 };
}

/** Decode and resize to `target` (the torchvision `Resize` size) in as few libvips passes as give the same pixels. */
export async function decodeResized(bytes: Uint8Array, probe: ImageProbe, target: Size, plan: ResizePlan): Promise<RawImage> {
  const unchanged = probe.size.width === target.width && probe.size.height === target.height;
  if (probe.simple && sharpMay(probe.size, target, plan) && !unchanged) {
    // why: fastShrinkOnLoad would let libjpeg scale in the DCT domain, which Pillow's resize never does.
    const { data, info } = await sharp(bytes, INPUT)
      .resize(target.width, target.height, { fit: 'fill', kernel: plan.sharpKernel, fastShrinkOnLoad: false })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  }
  return resizeRgb(await decodeRgb(bytes, probe), target, plan);
}
