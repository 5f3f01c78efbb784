import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { coordinateImage, jpeg, png, smoothImage } from '../testing/images.js';
import { decodeRgb, probeImage, resizeRgb } from './decodeImage.js';
import { INTERPOLATION_MODES, resizePlan } from './InterpolationMode.js';
import { pilResample } from './pilResample.js';

const W = 6;
const H = 4;
const rgbPixels = (): Buffer => Buffer.from(Array.from({ length: W * H * 3 }, (_, i) => (i * 37 + 11) % 256));

describe('decodeRgb: colour modes as Pillow convert("RGB")', () => {
  it('RGB PNG is returned unchanged', async () => {
    const raw = rgbPixels();
    const image = await decodeRgb(await png(raw, W, H));
    expect(image).toMatchObject({ width: W, height: H, channels: 3 });
    expect(Buffer.from(image.data).equals(raw)).toBe(true);
  });

  it('grayscale (L) replicates the grey value into R, G and B', async () => {
    const grey = Buffer.from(Array.from({ length: W * H }, (_, i) => i * 10));
    const image = await decodeRgb(await png(grey, W, H, 1));
    expect([...image.data]).toEqual([...grey].flatMap((g) => [g, g, g]));
  });

  it('RGBA drops alpha without compositing (colour under alpha 0 survives)', async () => {
    const raw = rgbPixels();
    const rgba = Buffer.alloc(W * H * 4);
    for (let p = 0; p < W * H; p++) {
      raw.copy(rgba, p * 4, p * 3, p * 3 + 3);
      rgba[p * 4 + 3] = p % 3 === 0 ? 0 : 128;
    }
    const image = await decodeRgb(await png(rgba, W, H, 4));
    expect(Buffer.from(image.data).equals(raw)).toBe(true);
  });

  it('grey + alpha (LA) drops alpha and replicates', async () => {
    const la = Buffer.from(Array.from({ length: W * H * 2 }, (_, i) => (i % 2 === 0 ? i * 5 : 0)));
    const image = await decodeRgb(await png(la, W, H, 2));
    expect([...image.data]).toEqual(Array.from({ length: W * H }, (_, p) => [p * 10, p * 10, p * 10]).flat());
  });

  it('palette PNG expands to the palette colours', async () => {
    const colours = [[255, 0, 0], [0, 128, 255], [10, 20, 30], [250, 250, 5]];
    const raw = Buffer.from(Array.from({ length: W * H }, (_, p) => colours[p % 4]!).flat());
    const file = await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png({ palette: true, colours: 4, dither: 0 }).toBuffer();
    expect((await sharp(file).metadata()).isPalette).toBe(true);
    expect(Buffer.from((await decodeRgb(file)).data).equals(raw)).toBe(true);
  });

  it('16-bit RGB PNG keeps the high byte (Pillow unpacks "RGB;16B")', async () => {
    const raw16 = new Uint16Array(W * H * 3).map((_, i) => (i * 4099 + 123) & 0xffff);
    const file = await sharp(raw16, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(file).metadata()).depth).toBe('ushort');
    expect([...(await decodeRgb(file)).data]).toEqual([...raw16].map((v) => v >> 8));
  });

  it('16-bit grey PNG is scaled to 8 bits (Pillow would clip to 255: a documented difference)', async () => {
    const grey16 = new Uint16Array(W * H).map((_, i) => (i * 2741 + 77) & 0xffff);
    const file = await sharp(grey16, { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    expect([...(await decodeRgb(file)).data]).toEqual([...grey16].flatMap((v) => [v >> 8, v >> 8, v >> 8]));
  });

  it('CMYK JPEG uses Pillow\'s cmyk2rgb formula on the decoded ink values', async () => {
    const raw = rgbPixels();
    const file = await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await probeImage(file)).cmyk).toBe(true);
    const ink = await sharp(file).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer();
    // Pillow: R = CLIP8(nk - MULDIV255(C, nk)) with nk = 255 - K; MULDIV255(a, b) = round(a·b / 255) in integers
    const expected: number[] = [];
    for (let p = 0; p < W * H; p++) {
      const nk = 255 - ink[p * 4 + 3]!;
      for (let c = 0; c < 3; c++) expected.push(Math.max(0, nk - Math.floor((ink[p * 4 + c]! * nk + 127) / 255)));
    }
    const image = await decodeRgb(file);
    expect([...image.data]).toEqual(expected);
    // and the naive formula still lands near the original colours
    const meanError = [...image.data].reduce((s, v, i) => s + Math.abs(v - raw[i]!), 0) / raw.length;
    expect(meanError).toBeLessThan(40);
  });

  it('lossless WebP decodes exactly', async () => {
    const raw = rgbPixels();
    const file = await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).webp({ lossless: true }).toBuffer();
    expect(Buffer.from((await decodeRgb(file)).data).equals(raw)).toBe(true);
  });
});

describe('EXIF orientation (datasets applies ImageOps.exif_transpose when decoding)', () => {
  // Stored image: 32 wide x 16 high, four 8x16 vertical bands... use four 16x8 quadrants of distinct colours.
  const SW = 32;
  const SH = 16;
  const quadrant = (y: number, x: number): number => (y < SH / 2 ? 0 : 2) + (x < SW / 2 ? 0 : 1);
  const COLOURS = [[230, 20, 20], [20, 230, 20], [20, 20, 230], [230, 230, 20]];
  const stored = Buffer.alloc(SW * SH * 3);
  for (let y = 0; y < SH; y++) for (let x = 0; x < SW; x++) COLOURS[quadrant(y, x)]!.forEach((v, c) => (stored[(y * SW + x) * 3 + c] = v));

  // displayed (r, c) -> stored (y, x), from the EXIF definition (and Pillow's exif_transpose methods)
  const toStored: Record<number, (r: number, c: number) => [number, number]> = {
    1: (r, c) => [r, c],
    2: (r, c) => [r, SW - 1 - c], // FLIP_LEFT_RIGHT
    3: (r, c) => [SH - 1 - r, SW - 1 - c], // ROTATE_180
    4: (r, c) => [SH - 1 - r, c], // FLIP_TOP_BOTTOM
    5: (r, c) => [c, r], // TRANSPOSE
    6: (r, c) => [SH - 1 - c, r], // ROTATE_270 (90° clockwise)
    7: (r, c) => [SH - 1 - c, SW - 1 - r], // TRANSVERSE
    8: (r, c) => [c, SW - 1 - r], // ROTATE_90 (90° counter-clockwise)
  };

  for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`orientation ${orientation}`, async () => {
      const file = await sharp(stored, { raw: { width: SW, height: SH, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
      const probe = await probeImage(file);
      const rotated = orientation >= 5;
      expect(probe.size).toEqual(rotated ? { height: SW, width: SH } : { height: SH, width: SW });
      const image = await decodeRgb(file, probe);
      for (const [r, c] of [[2, 2], [2, probe.size.width - 3], [probe.size.height - 3, 2], [probe.size.height - 3, probe.size.width - 3]] as const) {
        const [y, x] = toStored[orientation]!(r, c);
        const want = COLOURS[quadrant(y, x)]!;
        const got = [0, 1, 2].map((ch) => image.data[(r * image.width + c) * 3 + ch]!);
        got.forEach((v, ch) => expect(Math.abs(v - want[ch]!), `(${r}, ${c}) channel ${ch}`).toBeLessThan(30));
      }
    });
  }
});

describe('resizeRgb', () => {
  const src = { data: smoothImage(90, 60), width: 90, height: 60, channels: 3 };

  it('gives the requested size in every interpolation mode, with both resamplers', async () => {
    for (const mode of INTERPOLATION_MODES) {
      for (const resampler of ['sharp', 'pil'] as const) {
        for (const target of [{ width: 48, height: 32 }, { width: 135, height: 90 }]) {
          const out = await resizeRgb(src, target, resizePlan(mode, resampler));
          expect({ width: out.width, height: out.height, length: out.data.length }, `${mode}/${resampler}`).toEqual({ ...target, length: target.width * target.height * 3 });
        }
      }
    }
  });

  it('libvips downscaling stays close to Pillow (the documented approximation)', async () => {
    const big = { data: smoothImage(300, 200), width: 300, height: 200, channels: 3 };
    for (const mode of ['bilinear', 'bicubic', 'lanczos'] as const) {
      const viaSharp = await resizeRgb(big, { width: 96, height: 64 }, resizePlan(mode, 'sharp'));
      const exact = pilResample(big, 96, 64, resizePlan(mode, 'pil').pilFilter);
      let sum = 0;
      viaSharp.data.forEach((v, i) => (sum += Math.abs(v - exact.data[i]!)));
      expect(sum / exact.data.length, mode).toBeLessThan(0.6);
    }
  });

  it('nearest is exact in both resamplers (Pillow samples (x + 0.5) * scale)', async () => {
    const coords = { data: coordinateImage(100, 80), width: 100, height: 80, channels: 3 };
    for (const resampler of ['sharp', 'pil'] as const) {
      const out = await resizeRgb(coords, { width: 40, height: 32 }, resizePlan('nearest_exact', resampler));
      for (const [y, x] of [[0, 0], [5, 17], [31, 39]] as const) {
        expect(out.data[(y * 40 + x) * 3]).toBe(Math.floor((x + 0.5) * 2.5));
        expect(out.data[(y * 40 + x) * 3 + 1]).toBe(Math.floor((y + 0.5) * 2.5));
      }
    }
  });
});

describe('bad input', () => {
  it('rejects bytes that are not an image', async () => {
    await expect(probeImage(new TextEncoder().encode('not an image at all'))).rejects.toThrow();
  });

  it('rejects a truncated JPEG at decode', async () => {
    const file = await jpeg(smoothImage(64, 64), 64, 64);
    const cut = file.subarray(0, Math.floor(file.length * 0.6));
    await expect(decodeRgb(cut)).rejects.toThrow();
  });
});
