/**
 * The position whose final hidden state is CLIP's pooled output, per row of ids [batch, length], exactly as
 * transformers' CLIPTextTransformer.forward picks it (modeling_clip.py, since PR #24773):
 * - `eos_token_id == 2` (legacy configs, SDXL's among them): argmax of the ids, the first maximum
 *   (the end token 49407 is the largest id of the CLIP vocabulary);
 * - otherwise: the first position holding `eos_token_id`, or 0 when the row has none (argmax of an all-zero row).
 */
export function eosPositions(ids: Int32Array, batch: number, length: number, eosTokenId: number | null): Int32Array {
  const positions = new Int32Array(batch);
  for (let row = 0; row < batch; row++) {
    const offset = row * length;
    let best = 0;
    if (eosTokenId === 2) {
      for (let i = 1; i < length; i++) if (ids[offset + i]! > ids[offset + best]!) best = i;
    } else {
      for (let i = 0; i < length; i++) {
        if (ids[offset + i] === eosTokenId) {
          best = i;
          break;
        }
      }
    }
    positions[row] = best;
  }
  return positions;
}
