// Test helpers: encoders with known, cheap outputs (excluded from the build).
import type { HostTensor } from '@sdxl-trainer/core';
import type { LatentEncoder, TextEmbedder } from '../cache/encoders.js';

/** A text "encoder" whose output is a pure function of the caption: value (i, j) = code(caption) + i + j / 100. */
export class FakeTextEmbedder implements TextEmbedder {
  readonly batches: string[][] = [];
  constructor(
    readonly id = 'fake-text@v1',
    readonly dims = { tokens: 77, hidden: 8, pooled: 4 },
  ) {}

  static code(caption: string): number {
    let h = 0;
    for (const c of caption) h = (h * 31 + c.codePointAt(0)!) % 1000;
    return h;
  }

  async encode(prompts: readonly string[]): Promise<{ promptEmbeds: HostTensor[]; pooled: HostTensor[] }> {
    this.batches.push([...prompts]);
    const { tokens, hidden, pooled } = this.dims;
    return {
      promptEmbeds: prompts.map((p) => ({ data: new Float32Array(tokens * hidden).map((_, k) => FakeTextEmbedder.code(p) + Math.floor(k / hidden) + (k % hidden) / 100), shape: [tokens, hidden] })),
      pooled: prompts.map((p) => ({ data: new Float32Array(pooled).fill(FakeTextEmbedder.code(p)), shape: [pooled] })),
    };
  }
}

/**
 * A "VAE" that averages each 8×8 block of the NHWC [-1, 1] input: latent channels 0–2 are the block means of R, G,
 * B and channel 3 is 1, so a latent tells which pixels it was made from.
 */
export class PoolingLatentEncoder implements LatentEncoder {
  readonly batches: number[] = [];
  constructor(readonly id = 'fake-vae@v1') {}

  async encode(images: readonly HostTensor[]): Promise<HostTensor[]> {
    this.batches.push(images.length);
    return images.map((image) => {
      const [h, w] = image.shape as [number, number, number];
      const lh = h / 8;
      const lw = w / 8;
      const out = new Float32Array(lh * lw * 4);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = (Math.floor(y / 8) * lw + Math.floor(x / 8)) * 4;
          for (let c = 0; c < 3; c++) out[o + c]! += image.data[(y * w + x) * 3 + c]! / 64;
        }
      }
      for (let i = 3; i < out.length; i += 4) out[i] = 1;
      return { data: out, shape: [lh, lw, 4] };
    });
  }
}
