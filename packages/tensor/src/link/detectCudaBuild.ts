import { createReadStream } from 'node:fs';

// why: a CUDA build of TensorFlow loads the CUDA runtime by name (stream_executor's dso loader and the
// cudart stubs), so the bytes "cudart" are in its libraries; the CPU builds (the tensorflow-cpu 2.21
// wheel, libtensorflow-cpu) hold none, though they do mention CUDA in generic type names.
const MARK = Buffer.from('cudart');

/** True when any of `files` contains the CUDA runtime's name, i.e. this TensorFlow was built with CUDA. */
export async function detectCudaBuild(files: readonly string[]): Promise<boolean> {
  for (const file of files) {
    if (await contains(file, MARK)) return true;
  }
  return false;
}

/** Streams `file` (never all in memory) looking for `needle`, across chunk boundaries. */
async function contains(file: string, needle: Buffer): Promise<boolean> {
  const edge = needle.length - 1;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    if (chunk.includes(needle)) return true;
    if (carry.length > 0 && Buffer.concat([carry, chunk.subarray(0, edge)]).includes(needle)) return true;
    carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - edge)));
  }
  return false;
}
