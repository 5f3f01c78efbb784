/**
 * Python 3's `round(x)` for a float: the nearest integer, ties to the even one (banker's rounding), which the SDXL
 * script's centre-crop bookkeeping uses (`round((H - resolution) / 2.0)`): round(0.5) = 0, round(1.5) = 2.
 */
export function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
