import { ProtoWriter } from './ProtoWriter.js';

/** One image of an image summary: an encoded PNG and its size (tensorboard `Summary.Image`). */
export interface EncodedImage {
  readonly height: number;
  readonly width: number;
  /** 1 grayscale, 2 grayscale + alpha, 3 RGB, 4 RGBA. */
  readonly colorspace: number;
  readonly png: Uint8Array;
}

/** One value of a summary: a scalar or an image, under a tag. */
export type SummaryValue = { readonly tag: string; readonly scalar: number } | { readonly tag: string; readonly image: EncodedImage };

/**
 * An `Event` protobuf (tensorflow/core/util/event.proto): `wall_time = 1` (double), `step = 2` (int64),
 * `file_version = 3` (string) or `summary = 5` (`Summary { repeated Value value = 1 }`, summary.proto:
 * `Value { tag = 1; simple_value = 2 (float); image = 4 }`, `Image { height = 1; width = 2; colorspace = 3;
 * encoded_image_string = 4 }`).
 */
export function encodeEvent(event: { wallTime: number; step?: number; fileVersion?: string; values?: readonly SummaryValue[] }): Uint8Array {
  const message = new ProtoWriter().double(1, event.wallTime);
  // why: proto3 leaves a zero step out, as protobuf's own encoder does.
  if (event.step) message.uint(2, event.step);
  if (event.fileVersion !== undefined) message.string(3, event.fileVersion);
  if (event.values) {
    const summary = new ProtoWriter();
    for (const value of event.values) summary.bytes(1, encodeValue(value));
    message.bytes(5, summary.finish());
  }
  return message.finish();
}

function encodeValue(value: SummaryValue): Uint8Array {
  const out = new ProtoWriter().string(1, value.tag);
  if ('scalar' in value) return out.float(2, value.scalar).finish();
  const { height, width, colorspace, png } = value.image;
  return out.bytes(4, new ProtoWriter().uint(1, height).uint(2, width).uint(3, colorspace).bytes(4, png).finish()).finish();
}
