import type { EncodedImage } from './encodeImage.js';

/** The W&B media subfolder of images (wandb Image.get_media_subdir). */
export const IMAGE_MEDIA_DIR = 'media/images';

/** An image saved in the run folder, as history refers to it. */
export interface SavedImage extends EncodedImage {
  /** Run-relative path, e.g. `media/images/validation_40_<sha256[:20]>.png`. */
  readonly path: string;
  readonly caption?: string | undefined;
}

/**
 * How an image tag is logged, following what the script's `tracker.log({"validation": [wandb.Image(...), ...]})`
 * writes: tags `<key>/<i>` (the validation plugin's `validation/0`, `validation/1`, ...) are the images of one list
 * under `<key>`, in index order; any other tag is one image under the tag itself.
 */
export function mediaKey(tag: string): { key: string; index: number | undefined } {
  const match = /^(.+)\/(\d+)$/.exec(tag);
  return match ? { key: match[1] as string, index: Number(match[2]) } : { key: tag, index: undefined };
}

/**
 * The file name wandb gives a logged image: `media/images/<key>_<step>_<sha256[:20]>.png` (Media.bind_to_run with
 * `_wb_filename`; a key with `/` makes subfolders, `.`/`..` segments become `_`/`__`, leading `/` are dropped).
 */
export function imagePath(key: string, step: number, sha256: string): string {
  const safe = key
    .replace(/^\/+/, '')
    .split('/')
    .map((part) => (part === '.' || part === '..' ? part.replace(/\./g, '_') : part))
    .join('/');
  return `${IMAGE_MEDIA_DIR}/${safe}_${step}_${sha256.slice(0, 20)}.png`;
}

/** History value of one image: wandb Image.to_json (`_type: "image-file"`). */
export function imageFileJson(image: SavedImage): Record<string, unknown> {
  return {
    ...(image.caption === undefined ? {} : { caption: image.caption }),
    _type: 'image-file',
    sha256: image.sha256,
    size: image.png.byteLength,
    path: image.path,
    format: 'png',
    width: image.width,
    height: image.height,
  };
}

/**
 * History value of a list of images: wandb Image.seq_to_json (`_type: "images/separated"`): the first image's size,
 * the count, the file names, and the captions when the first image has one.
 */
export function imageListJson(images: readonly SavedImage[]): Record<string, unknown> {
  const [first] = images;
  if (first === undefined) throw new RangeError('imageListJson needs at least one image');
  return {
    _type: 'images/separated',
    width: first.width,
    height: first.height,
    format: 'png',
    count: images.length,
    filenames: images.map((image) => image.path),
    ...(first.caption === undefined ? {} : { captions: images.map((image) => image.caption ?? null) }),
  };
}
