import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** The error a replacement kernel throws for an input it cannot handle: SdxlError(KERNEL_UNSUPPORTED). */
export function kernelError(kernel: string, backend: string, problem: string): SdxlError {
  return new SdxlError(ErrorCode.KERNEL_UNSUPPORTED, `${kernel} on ${backend} (@sdxl-trainer/tensor): ${problem}`, {
    details: { kernel, backend },
  });
}
