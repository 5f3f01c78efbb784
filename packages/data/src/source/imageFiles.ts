// why: the formats sharp decodes out of the box, from 🤗 datasets' imagefolder extension list.
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.apng', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** Metadata files of an imagefolder, as 🤗 datasets names them. */
export const METADATA_FILES = ['metadata.jsonl', 'metadata.csv'] as const;

/** True for a file name with an image extension sharp can decode. */
export function isImageFile(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot !== -1 && IMAGE_EXTENSIONS.has(path.slice(dot).toLowerCase());
}

/** True for `metadata.jsonl` / `metadata.csv` (in any folder). */
export function isMetadataFile(path: string): boolean {
  const name = path.split('/').pop()!;
  return (METADATA_FILES as readonly string[]).includes(name);
}
