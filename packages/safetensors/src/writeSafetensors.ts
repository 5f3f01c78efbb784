import { checkTensorData, encodeTensor } from './encodeTensor.js';
import { planLayout, type Layout } from './planLayout.js';
import type { TensorToWrite } from './TensorToWrite.js';
import { writeFileAtomically } from './writeFileAtomically.js';

/**
 * Writes tensors to a .safetensors file, atomically: a failure at any point (a wrong data array, a rejected data
 * source, a full disk) leaves the previous file at `path` untouched and no temporary file behind.
 * Layout: header padded with spaces to a multiple of 8, tensors ordered by dtype then name (as huggingface's
 * safetensors orders them), each aligned to its element size, `__metadata__` first in the header when given.
 */
export async function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Promise<void> {
  await writeLayout(path, prepareLayout(path, tensors, metadata));
}

/** Validates everything that can be checked before writing (arrays given up front included) and plans the file. */
export function prepareLayout(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Layout {
  const layout = planLayout(path, tensors, metadata);
  for (const { name, tensor } of layout.tensors) {
    if (typeof tensor.data !== 'function') checkTensorData(path, name, tensor.dtype, tensor.shape, tensor.data);
  }
  return layout;
}

/** Writes a planned file atomically; lazy data sources are resolved (and checked) one tensor at a time. */
export async function writeLayout(path: string, layout: Layout): Promise<void> {
  await writeFileAtomically(path, async (writer) => {
    await writer.write(layout.prefix, 0);
    const dataStart = layout.prefix.byteLength;
    for (const { name, tensor, begin } of layout.tensors) {
      const data = typeof tensor.data === 'function' ? await tensor.data() : tensor.data;
      await writer.write(encodeTensor(path, name, tensor.dtype, tensor.shape, data), dataStart + begin);
    }
  });
}
