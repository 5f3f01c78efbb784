import { describe, expect, it } from 'vitest';
import { smoothImage } from '../testing/images.js';
import type { PilFilter } from './InterpolationMode.js';
import { pilResample, type RawImage } from './pilResample.js';

const row = (values: number[]): RawImage => ({ data: Uint8Array.from(values), width: values.length, height: 1, channels: 1 });
const column = (values: number[]): RawImage => ({ data: Uint8Array.from(values), width: 1, height: values.length, channels: 1 });

// Naive reference: the filter definitions of Pillow's docs, weights in doubles, no fixed point; one uint8 rounding
// after each pass as Pillow's 8-bit path stores its intermediate image.
const FILTERS: Record<Exclude<PilFilter, 'nearest'>, [number, (x: number) => number]> = {
  box: [0.5, (x) => (x > -0.5 && x <= 0.5 ? 1 : 0)],
  bilinear: [1, (x) => Math.max(0, 1 - Math.abs(x))],
  hamming: [1, (x) => (x === 0 ? 1 : Math.abs(x) >= 1 ? 0 : (Math.sin(Math.PI * x) / (Math.PI * x)) * (0.54 + 0.46 * Math.cos(Math.PI * x)))],
  bicubic: [2, (x) => { const t = Math.abs(x); return t < 1 ? 1.5 * t ** 3 - 2.5 * t ** 2 + 1 : t < 2 ? -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2 : 0; }],
  lanczos: [3, (x) => { const s = (v: number) => (v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v)); return Math.abs(x) < 3 ? s(x) * s(x / 3) : 0; }],
};

function naive1d(line: Float64Array, outSize: number, filter: Exclude<PilFilter, 'nearest'>): Float64Array {
  const [support0, f] = FILTERS[filter];
  const scale = line.length / outSize;
  const fs = Math.max(1, scale);
  const out = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    let sum = 0;
    let total = 0;
    for (let i = 0; i < line.length; i++) {
      const w = f((i + 0.5 - center) / fs);
      if (Math.abs(i + 0.5 - center) >= support0 * fs + 0.5) continue;
      sum += w * line[i]!;
      total += w;
    }
    out[o] = Math.min(255, Math.max(0, Math.round(sum / total)));
  }
  return out;
}

function naiveResize(src: RawImage, outW: number, outH: number, filter: Exclude<PilFilter, 'nearest'>): Float64Array {
  const { width, height, channels } = src;
  const temp = new Float64Array(outW * height * channels);
  for (let y = 0; y < height; y++) for (let c = 0; c < channels; c++) {
    const line = new Float64Array(width).map((_, x) => src.data[(y * width + x) * channels + c]!);
    naive1d(line, outW, filter).forEach((v, x) => (temp[(y * outW + x) * channels + c] = v));
  }
  const out = new Float64Array(outW * outH * channels);
  for (let x = 0; x < outW; x++) for (let c = 0; c < channels; c++) {
    const line = new Float64Array(height).map((_, y) => temp[(y * outW + x) * channels + c]!);
    naive1d(line, outH, filter).forEach((v, y) => (out[(y * outW + x) * channels + c] = v));
  }
  return out;
}

describe('pilResample (port of Pillow ImagingResample)', () => {
  it('matches hand-computed Pillow results', () => {
    expect([...pilResample(row([0, 10, 20, 30]), 2, 1, 'box').data]).toEqual([5, 25]);
    expect([...pilResample(row([0, 100]), 4, 1, 'bilinear').data]).toEqual([0, 25, 75, 100]);
    expect([...pilResample(column([0, 100]), 1, 4, 'bilinear').data]).toEqual([0, 25, 75, 100]);
    // Pillow NEAREST samples at (x + 0.5) * scale: 4 -> 2 picks 1 and 3; 2 -> 4 picks 0, 0, 1, 1
    expect([...pilResample(row([10, 11, 12, 13]), 2, 1, 'nearest').data]).toEqual([11, 13]);
    expect([...pilResample(row([10, 11]), 4, 1, 'nearest').data]).toEqual([10, 10, 11, 11]);
  });

  for (const filter of ['box', 'bilinear', 'hamming', 'bicubic', 'lanczos'] as const) {
    it(`${filter}: agrees with a naive double-precision resampler within 1 level`, () => {
      const src: RawImage = { data: smoothImage(37, 29), width: 37, height: 29, channels: 3 };
      // why: odd sizes only — with odd sizes a box edge can never fall exactly on a pixel centre, where Pillow's
      // floating-point rounding (not the filter definition) decides whether the pixel counts.
      for (const [w, h] of [[15, 11], [53, 41], [37, 21]] as const) {
        const ours = pilResample(src, w, h, filter);
        const ref = naiveResize(src, w, h, filter);
        expect(ours.data.length).toBe(w * h * 3);
        let worst = 0;
        ours.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]!))));
        expect(worst, `${filter} ${w}x${h}`).toBeLessThanOrEqual(1);
      }
    });
  }
});
