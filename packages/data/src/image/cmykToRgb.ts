import type { RawImage } from './pilResample.js';

/**
 * Pillow's `convert("RGB")` of a CMYK image (`cmyk2rgb` in src/libImaging/Convert.c): a naive, not colour-managed
 * formula, `R = (255 - K) - round((255 - K) · C / 255)` with Pillow's integer `MULDIV255`, likewise G from M and B
 * from Y. `cmyk` holds ink amounts (0 = no ink), 4 channels.
 */
export function cmykToRgb(cmyk: RawImage): RawImage {
  const pixels = cmyk.width * cmyk.height;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const nk = 255 - cmyk.data[p * 4 + 3]!;
    for (let c = 0; c < 3; c++) {
      const t = cmyk.data[p * 4 + c]! * nk + 128;
      const v = nk - (((t >> 8) + t) >> 8); // why: MULDIV255 = SHIFTFORDIV255(a·b + 128), Pillow's fast a·b/255.
      out[p * 3 + c] = v <= 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width: cmyk.width, height: cmyk.height, channels: 3 };
}
