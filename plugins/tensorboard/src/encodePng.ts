import sharp from 'sharp';
import type { EncodedImage } from './encodeEvent.js';

/** An image as a validation event carries it: `height × width × channels` bytes, row-major (HWC). */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Encode HWC bytes (1, 2, 3 or 4 channels, read off the data length) as a PNG with sharp, off the main thread. */
export async function encodePng(image: RawImage): Promise<EncodedImage> {
  const { data, width, height } = image;
  const pixels = width * height;
  const channels = pixels > 0 && Number.isInteger(width) && Number.isInteger(height) ? data.length / pixels : NaN;
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new RangeError(`an image of ${width}×${height} needs ${pixels * 3} bytes (HWC RGB) or 1, 2 or 4 bytes per pixel; got ${data.length}`);
  }
  const png = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } }).png().toBuffer();
  return { width, height, colorspace: channels, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) };
}
