import { createHash } from 'node:crypto';
import type { ValidationImage } from '@sdxl-trainer/core';
import sharp from 'sharp';

/** An image as a PNG file, with what W&B's media JSON records about it. */
export interface EncodedImage {
  readonly png: Uint8Array;
  /** sha256 of the PNG bytes, hex. */
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
}

/** Encode HWC bytes (1, 2, 3 or 4 channels, read off the data length) as PNG with sharp (off the main thread). */
export async function encodeImage(image: Pick<ValidationImage, 'data' | 'width' | 'height'>): Promise<EncodedImage> {
  const { data, width, height } = image;
  const pixels = width * height;
  const channels = pixels > 0 && Number.isInteger(width) && Number.isInteger(height) ? data.length / pixels : NaN;
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new RangeError(`an image of ${width}×${height} needs ${pixels * 3} bytes (HWC RGB) or 1, 2 or 4 bytes per pixel; got ${data.length}`);
  }
  const buffer = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } }).png().toBuffer();
  const png = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return { png, sha256: createHash('sha256').update(png).digest('hex'), width, height };
}
