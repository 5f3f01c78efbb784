import { SafetensorsReader } from './SafetensorsReader.js';
import type { TensorData } from './TensorInfo.js';

/** Reads every tensor of a .safetensors file (or sharded set) into memory: open, read all, close. */
export async function loadSafetensors(path: string): Promise<Record<string, TensorData>> {
  const reader = await SafetensorsReader.open(path);
  try {
    const entries: [string, TensorData][] = [];
    for (const name of reader.keys()) entries.push([name, await reader.read(name)]);
    // why: fromEntries defines own properties, so even a tensor named "__proto__" stays a plain entry.
    return Object.fromEntries(entries);
  } finally {
    await reader.close();
  }
}
