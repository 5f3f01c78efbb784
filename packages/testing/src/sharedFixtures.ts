import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's sibling `shared/fixtures/sdxl-tiny` folder (PyTorch reference outputs and the tiny SDXL
 * pipeline), or a path inside it. Throws — never skips — when it is missing: parity tests must fail loudly.
 */
export function sdxlTinyFixture(...segments: string[]): string {
  // why: the same depth from src/ (vitest) and dist/ (built): packages/testing/<src|dist>/ → repo → its parent.
  const root = fileURLToPath(new URL('../../../../shared/fixtures/sdxl-tiny', import.meta.url));
  const path = join(root, ...segments);
  if (!existsSync(path)) {
    throw new Error(`PyTorch reference fixture missing: ${path}. The parity tests need ../shared/fixtures/sdxl-tiny beside the repository.`);
  }
  return path;
}
