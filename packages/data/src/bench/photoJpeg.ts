import sharp from 'sharp';

/** A deterministic, photo-like JPEG (smooth gradients plus fine texture, quality 90) of the given size. */
export function photoJpeg(width: number, height: number, seed = 1): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let x32 = seed * 2654435761 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      x32 ^= x32 << 13;
      x32 ^= x32 >>> 17;
      x32 ^= x32 << 5;
      const noise = (x32 >>> 0) % 24;
      const i = (y * width + x) * 3;
      raw[i] = (128 + 100 * Math.sin(x / 37 + seed) + noise) & 255;
      raw[i + 1] = (128 + 90 * Math.cos(y / 53 - x / 91) + noise) & 255;
      raw[i + 2] = (((x + y) * 255) / (width + height) + noise) & 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}
