// Test helpers (excluded from the build): encoders with cheap outputs that reveal their input.
import type { HostTensor, TrainerPlugin } from '@sdxl-trainer/core';
import type { LatentEncoder as LatentEncoderType, TextEmbedder as TextEmbedderType } from '@sdxl-trainer/data';
import { LatentEncoder, TextEmbedder } from '@sdxl-trainer/sdxl';

/** A text "encoder": every value of a caption's embeddings is its length; records every caption it was asked for. */
export class LengthTextEmbedder implements TextEmbedderType {
  readonly seen: string[] = [];
  constructor(readonly id = 'length-text@1') {}

  async encode(prompts: readonly string[]): Promise<{ promptEmbeds: HostTensor[]; pooled: HostTensor[] }> {
    this.seen.push(...prompts);
    return {
      promptEmbeds: prompts.map((p) => ({ data: new Float32Array(77 * 6).fill(p.length), shape: [77, 6] })),
      pooled: prompts.map((p) => ({ data: new Float32Array(4).fill(p.length), shape: [4] })),
    };
  }
}

/** A "VAE" averaging each 8×8 block of the NHWC [-1, 1] pixels into channels 0–2 (channel 3 is 1); counts images encoded. */
export class BlockMeanLatentEncoder implements LatentEncoderType {
  encoded = 0;
  constructor(readonly id = 'block-mean-vae@1') {}

  async encode(images: readonly HostTensor[]): Promise<HostTensor[]> {
    this.encoded += images.length;
    return images.map(({ data, shape }) => {
      const [h, w] = shape as [number, number, number];
      const out = new Float32Array((h / 8) * (w / 8) * 4);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = (Math.floor(y / 8) * (w / 8) + Math.floor(x / 8)) * 4;
          for (let c = 0; c < 3; c++) out[o + c]! += data[(y * w + x) * 3 + c]! / 64;
        }
      }
      for (let i = 3; i < out.length; i += 4) out[i] = 1;
      return { data: out, shape: [h / 8, w / 8, 4] };
    });
  }
}

/** Registers the two encoders under the SDXL tokens, as the text-encoding and VAE plugins do. */
export function fakeEncodersPlugin(text: TextEmbedderType | undefined, latents: LatentEncoderType | undefined): TrainerPlugin {
  return {
    name: 'test:fake-encoders',
    apply(trainer) {
      trainer.hooks.environment.tap('test:fake-encoders', () => {
        if (text) trainer.container.register(TextEmbedder, { useValue: text });
        if (latents) trainer.container.register(LatentEncoder, { useValue: latents });
      });
    },
  };
}
