/** Height and width in pixels. */
export interface Size {
  readonly height: number;
  readonly width: number;
}

/**
 * The size torchvision's `Resize(resolution)` gives an image (`_compute_resized_output_size` with one size): the
 * shorter side becomes `resolution`, the longer `int(resolution * long / short)` (truncated, not rounded).
 */
export function resizedSize(size: Size, resolution: number): Size {
  const { height, width } = size;
  const [short, long] = width <= height ? [width, height] : [height, width];
  // why: the same IEEE double operations as Python's `int(requested_new_short * long / short)`.
  const newLong = Math.trunc((resolution * long) / short);
  return width <= height ? { height: newLong, width: resolution } : { height: resolution, width: newLong };
}
