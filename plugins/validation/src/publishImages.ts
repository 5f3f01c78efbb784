import type { Trainer, ValidationImage } from '@sdxl-trainer/core';
import { writePngs } from '@sdxl-trainer/pipeline';
import type { RenderedImages } from './renderImages.js';

/** Where and under which names {@link publishImages} puts a set of images. */
export interface PublishTarget {
  /** Folder of the PNGs (`<i>.png`). */
  readonly folder: string;
  /** Tag prefix of the event's images: `validation` or `test` (the script's TensorBoard / W&B keys). */
  readonly tag: string;
  /** Step of the event. */
  readonly step: number;
  readonly prompt: string;
}

/**
 * Writes the images as `<folder>/<i>.png` (atomically) and emits one `validation:images` event with image i tagged
 * `<tag>/<i>` and captioned `<i>: <prompt>`, as the script's W&B images are. Returns the paths.
 */
export async function publishImages(trainer: Trainer, rendered: RenderedImages, target: PublishTarget): Promise<string[]> {
  const paths = await writePngs(rendered.images, target.folder, { names: (i) => `${i}.png` });
  trainer.emit('validation:images', { step: target.step, images: validationImages(rendered, target.tag, target.prompt) });
  return paths;
}

/** One event image per rendered image: HWC bytes (a copy), `<tag>/<i>`, caption `<i>: <prompt>`. */
export function validationImages(rendered: RenderedImages, tag: string, prompt: string): ValidationImage[] {
  const [count, height, width, channels] = rendered.images.shape;
  const size = height * width * channels;
  return Array.from({ length: count }, (_, i) => ({
    tag: `${tag}/${i}`,
    data: rendered.images.data.slice(i * size, (i + 1) * size),
    width,
    height,
    caption: `${i}: ${prompt}`,
  }));
}
