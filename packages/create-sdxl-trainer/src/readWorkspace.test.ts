import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkspace } from './readWorkspace.js';

// every temporary folder a test makes, removed when the file is done
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('readWorkspace', () => {
  it('finds this repository’s packages and what they depend on from elsewhere', async () => {
    const workspace = await readWorkspace(REPO);
    expect(workspace.repo).toBe(resolve(REPO));
    expect(workspace.packages.get('@sdxl-trainer/core')).toBe(join(REPO, 'packages', 'core'));
    expect(workspace.packages.get('@sdxl-trainer/preset-sdxl')).toBe(join(REPO, 'plugins', 'preset-sdxl'));
    expect(workspace.packages.get('create-sdxl-trainer')).toBe(join(REPO, 'packages', 'create-sdxl-trainer'));
    expect(workspace.shared.has('@tensorflow/tfjs-core')).toBe(true);
    expect(workspace.shared.has('zod')).toBe(true);
    expect(workspace.shared.has('@sdxl-trainer/core')).toBe(false);
    expect(workspace.shared.has('vitest')).toBe(false);
  });

  it('refuses a folder that is not a workspaces root, saying why', async () => {
    const dir = tempDir('not-repo-');
    await expect(readWorkspace(dir)).rejects.toMatchObject({ code: 'SCAFFOLD_LINK_INVALID', message: expect.stringContaining(`there is no ${join(dir, 'package.json')}`) });
    writeFileSync(join(dir, 'package.json'), '{"name":"solo"}');
    await expect(readWorkspace(dir)).rejects.toMatchObject({ message: expect.stringContaining('has no "workspaces" list') });
  });
});
