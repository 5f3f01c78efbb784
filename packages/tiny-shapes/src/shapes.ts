/** The shapes the dataset draws. */
export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'stripes'] as const;
/** A shape of {@link SHAPES}. */
export type Shape = (typeof SHAPES)[number];

/** Foreground colours by caption word (sRGB). */
export const COLOURS = {
  red: [220, 38, 38],
  green: [34, 160, 70],
  blue: [37, 84, 220],
  yellow: [242, 204, 30],
} as const satisfies Record<string, readonly [number, number, number]>;
/** A colour word of {@link COLOURS}. */
export type Colour = keyof typeof COLOURS;

/** Background colours by caption word (sRGB). */
export const BACKGROUNDS = {
  white: [246, 246, 246],
  black: [18, 18, 18],
  gray: [128, 128, 128],
} as const satisfies Record<string, readonly [number, number, number]>;
/** A background word of {@link BACKGROUNDS}. */
export type Background = keyof typeof BACKGROUNDS;

/** One picture of the dataset: what is drawn, where, and how big (fractions of the image side). */
export interface ShapeScene {
  readonly shape: Shape;
  readonly colour: Colour;
  readonly background: Background;
  /** Centre, as fractions of the width and height. */
  readonly centerX: number;
  readonly centerY: number;
  /** Half-size of the shape, as a fraction of the side; for stripes, the stripe period. */
  readonly radius: number;
}

/** The caption of a scene: "a red circle on a white background", "blue stripes on a black background". */
export function captionOf(scene: Pick<ShapeScene, 'shape' | 'colour' | 'background'>): string {
  const subject = scene.shape === 'stripes' ? `${scene.colour} stripes` : `a ${scene.colour} ${scene.shape}`;
  return `${subject} on a ${scene.background} background`;
}

/** Every caption the dataset can have, one per shape × colour × background. */
export function allCaptions(): string[] {
  return SHAPES.flatMap((shape) =>
    (Object.keys(COLOURS) as Colour[]).flatMap((colour) => (Object.keys(BACKGROUNDS) as Background[]).map((background) => captionOf({ shape, colour, background }))),
  );
}

/**
 * Whether the point (x, y), in fractions of the image side, is inside the scene's shape. Shapes are measured in
 * units of the radius around the centre: the circle is the unit disc, the square ±0.85, the diamond |u| + |v| ≤ 1.1,
 * the triangle points up (apex at v = −1, base at v = 0.75); stripes are horizontal bands over the whole picture.
 */
export function insideShape(scene: ShapeScene, x: number, y: number): boolean {
  const u = (x - scene.centerX) / scene.radius;
  const v = (y - scene.centerY) / scene.radius;
  switch (scene.shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85;
    case 'diamond':
      return Math.abs(u) + Math.abs(v) <= 1.1;
    case 'triangle':
      return v >= -1 && v <= 0.75 && Math.abs(u) <= (v + 1) / 1.75;
    case 'stripes':
      // why: the radius is the period here; the centre shifts the bands so pictures differ.
      return (((y - scene.centerY) / scene.radius) % 1 + 1) % 1 < 0.5;
  }
}

/**
 * Renders a scene as `size × size` RGB bytes (row-major HWC), anti-aliased by 4 × 4 supersampling: each pixel
 * blends foreground and background by the share of its sub-samples inside the shape.
 */
export function renderScene(scene: ShapeScene, size: number): Uint8Array {
  const SUB = 4;
  const fg = COLOURS[scene.colour];
  const bg = BACKGROUNDS[scene.background];
  const pixels = new Uint8Array(size * size * 3);
  for (let row = 0; row < size; row += 1) {
    for (let col = 0; col < size; col += 1) {
      let inside = 0;
      for (let sy = 0; sy < SUB; sy += 1) {
        for (let sx = 0; sx < SUB; sx += 1) {
          if (insideShape(scene, (col + (sx + 0.5) / SUB) / size, (row + (sy + 0.5) / SUB) / size)) inside += 1;
        }
      }
      const share = inside / (SUB * SUB);
      const at = (row * size + col) * 3;
      for (let c = 0; c < 3; c += 1) pixels[at + c] = Math.round(fg[c]! * share + bg[c]! * (1 - share));
    }
  }
  return pixels;
}
