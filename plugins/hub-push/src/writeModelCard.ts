import { join } from 'node:path';
import { renderModelCard, type ModelCardInfo } from './renderModelCard.js';
import { copyFileAtomically, writeFileAtomically } from './writeFileAtomically.js';

/** What {@link writeModelCard} writes: the card facts, and the example images to put beside it. */
export interface ModelCardFiles extends Omit<ModelCardInfo, 'images'> {
  /** PNG files to copy into the folder as `image_0.png`, `image_1.png`, ... (the script's names), in order. */
  readonly images?: readonly string[] | undefined;
}

/**
 * Writes the model card into `folder` as the script's `save_model_card` does: each example image copied to
 * `image_{i}.png` beside it, then `README.md` embedding them. Every file is written atomically. Returns the paths
 * written, README.md last.
 */
export async function writeModelCard(folder: string, card: ModelCardFiles): Promise<string[]> {
  const written: string[] = [];
  const images: string[] = [];
  for (const [i, source] of (card.images ?? []).entries()) {
    const name = `image_${i}.png`;
    await copyFileAtomically(source, join(folder, name));
    images.push(name);
    written.push(join(folder, name));
  }
  const readme = join(folder, 'README.md');
  await writeFileAtomically(readme, `${renderModelCard({ ...card, images })}\n`);
  written.push(readme);
  return written;
}

