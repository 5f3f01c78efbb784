import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { NhwcArray } from './PipelineCallOptions.js';
import { toUint8 } from './postprocess.js';

/** How {@link writePngs} names the files. */
export interface WritePngsOptions {
  /** One file name per image (".png" appended when missing), or a function of the image index. Default `image-<index>.png`. */
  readonly names?: readonly string[] | ((index: number) => string) | undefined;
}

/**
 * Writes each image of an NHWC batch (8-bit, or float in [0, 1] rounded as diffusers does) as a PNG into `folder`
 * (created if needed). Each file appears atomically: it is written to a temporary name in the same folder and renamed,
 * so a reader never sees a half-written PNG. Returns the absolute paths, in batch order.
 */
export async function writePngs(images: NhwcArray<Uint8Array | Float32Array>, folder: string, options: WritePngsOptions = {}): Promise<string[]> {
  const [count, height, width, channels] = images.shape;
  if (images.data.length !== count * height * width * channels || ![1, 3, 4].includes(channels)) {
    throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, `writePngs: expected NHWC data of [${images.shape.join(', ')}] with 1, 3 or 4 channels, got ${images.data.length} values`, {
      details: { shape: images.shape, length: images.data.length },
    });
  }
  const names = Array.from({ length: count }, (_, i) => pngName(options.names, i));
  if (new Set(names).size !== names.length) throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, `writePngs: file names repeat: ${names.join(', ')}`, { details: { names } });
  const bytes = images.data instanceof Uint8Array ? images.data : toUint8(images.data);
  const root = resolve(folder);
  try {
    await mkdir(root, { recursive: true });
  } catch (cause) {
    throw new SdxlError(ErrorCode.PIPELINE_OUTPUT_FAILED, `cannot create output folder ${root}: ${(cause as Error).message}`, { details: { folder: root }, cause });
  }
  const size = height * width * channels;
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(root, names[i]!);
    const temporary = join(root, `.${names[i]}.${process.pid}-${randomUUID()}.tmp`);
    try {
      const pixels = Buffer.from(bytes.buffer, bytes.byteOffset + i * size, size);
      const png = await sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 | 4 } }).png().toBuffer();
      await writeFile(temporary, png);
      await rename(temporary, path);
    } catch (cause) {
      await rm(temporary, { force: true });
      throw new SdxlError(ErrorCode.PIPELINE_OUTPUT_FAILED, `cannot write ${path}: ${(cause as Error).message}`, { details: { file: path }, cause });
    }
    paths.push(path);
  }
  return paths;
}

function pngName(names: WritePngsOptions['names'], index: number): string {
  const raw = names === undefined ? `image-${index}` : typeof names === 'function' ? names(index) : names[index];
  if (typeof raw !== 'string' || raw === '' || basename(raw) !== raw || raw.startsWith('.')) {
    throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, `writePngs: image ${index} needs a plain file name (no folders, not hidden), got ${JSON.stringify(raw)}`, {
      details: { index, name: raw },
    });
  }
  return raw.toLowerCase().endsWith('.png') ? raw : `${raw}.png`;
}
