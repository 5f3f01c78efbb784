// Test helpers: images with known content (excluded from the build).
import sharp from 'sharp';
import type { HostTensor } from '@sdxl-trainer/core';

/** An RGB image whose red channel is x, green y and blue `blue` (x, y < 256), so a crop's origin can be read back. */
export function coordinateImage(width: number, height: number, blue = 7): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[(y * width + x) * 3] = x & 255;
      data[(y * width + x) * 3 + 1] = y & 255;
      data[(y * width + x) * 3 + 2] = blue;
    }
  }
  return data;
}

/** A smooth, photo-like RGB image (deterministic). */
export function smoothImage(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.round(127.5 + 127.5 * Math.sin(x / 9 + y / 23));
      data[i + 1] = Math.round(127.5 + 127.5 * Math.cos(x / 17 - y / 11));
      data[i + 2] = Math.round(((x * 3 + y * 5) % 256));
    }
  }
  return data;
}

/** Encode raw RGB as PNG (lossless). */
export function png(raw: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3): Promise<Buffer> {
  return sharp(raw, { raw: { width, height, channels } }).png().toBuffer();
}

/** Encode raw RGB as JPEG. */
export function jpeg(raw: Buffer, width: number, height: number, quality = 95): Promise<Buffer> {
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

/** The uint8 value a [-1, 1] float came from. */
export function toByte(value: number): number {
  return Math.round((value * 0.5 + 0.5) * 255);
}

/** Channel `c` of pixel (y, x) of an NHWC host tensor, as the uint8 it came from. */
export function pixelAt(t: HostTensor, y: number, x: number, c: number): number {
  const width = t.shape[1]!;
  return toByte(t.data[(y * width + x) * 3 + c]!);
}
