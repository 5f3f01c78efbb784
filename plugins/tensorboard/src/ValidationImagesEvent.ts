import type { RawImage } from './encodePng.js';

/** One image of a {@link ValidationImagesEvent}: HWC RGB bytes under a tag (e.g. `validation/0`). */
export interface ValidationImage extends RawImage {
  readonly tag: string;
}

/** Payload of the `validation:images` event: images made at a validation, for reporters. */
export interface ValidationImagesEvent {
  readonly step: number;
  readonly images: readonly ValidationImage[];
}

declare module '@sdxl-trainer/core' {
  interface TrainerEventMap {
    /** Validation images (HWC RGB `Uint8Array`s) at a step; reporters (TensorBoard, W&B) log them. */
    'validation:images': ValidationImagesEvent;
  }
}
