import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/tempDirs.js';
import { detectCudaBuild } from './detectCudaBuild.js';

describe('detectCudaBuild', () => {
  const dir = tempDir('sdxl-tensor-cuda');
  const file = (name: string, body: Buffer): string => {
    writeFileSync(path.join(dir, name), body);
    return path.join(dir, name);
  };
  // The read stream's chunks are 4 MiB: the mark is put across the first boundary.
  const chunk = 4 << 20;

  it('finds the CUDA runtime name anywhere, also across a read-chunk boundary', async () => {
    const across = Buffer.alloc(chunk + 100, 0x41);
    across.write('cudart', chunk - 3, 'latin1');
    expect(await detectCudaBuild([file('across.so', across)])).toBe(true);
    expect(await detectCudaBuild([file('plain.so', Buffer.from('CudaComputeCapability cublas cudnn')), file('late.so', Buffer.from('xx libcudart.so.12'))])).toBe(true);
  });

  it('says no for CPU builds, which mention CUDA only in type names', async () => {
    const cpu = Buffer.alloc(chunk + 10, 0x42);
    cpu.write('CudaComputeCapability cudnn cublas cudar', chunk - 20, 'latin1');
    expect(await detectCudaBuild([file('cpu.so', cpu)])).toBe(false);
  });
});
