import type { ValidationImage } from '@sdxl-trainer/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const TEST_TAG = /^test\/(\d+)$/;
const CAPTION = /^\d+: /;

/**
 * Remembers the final test images of a run from its `validation:images` events: the validation plugin tags them
 * `test/<i>`, captions them `<i>: <prompt>` and writes them as `<i>.png` into its `final` folder. Only images of this
 * run count, so a card never shows a PNG an earlier run left behind.
 */
export class TestImageCollector {
  #indices: number[] = [];
  #prompt: string | undefined;

  /** Takes note of one event's images; a later set of test images replaces an earlier one. */
  observe(images: readonly ValidationImage[]): void {
    const indices = images.flatMap((image) => {
      const match = TEST_TAG.exec(image.tag);
      return match === null ? [] : [Number(match[1])];
    });
    if (indices.length === 0) return;
    this.#indices = indices.sort((a, b) => a - b);
    const caption = images.find((image) => TEST_TAG.test(image.tag))?.caption;
    this.#prompt = caption === undefined ? undefined : caption.replace(CAPTION, '');
  }

  /** The prompt of the test images (their caption without the `<i>: ` prefix), if any were seen. */
  get prompt(): string | undefined {
    return this.#prompt;
  }

  /** The PNGs of the test images seen in `folder`, in index order, and those that are not there. */
  files(folder: string): { found: string[]; missing: string[] } {
    const paths = this.#indices.map((i) => join(folder, `${i}.png`));
    return { found: paths.filter((path) => existsSync(path)), missing: paths.filter((path) => !existsSync(path)) };
  }
}
