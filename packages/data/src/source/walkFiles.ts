import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file below `root` (following symlinks, as a Hugging Face snapshot is made of them), relative with `/`, sorted. */
export async function walkFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = prefix + entry.name;
      if (entry.isDirectory()) await visit(join(dir, entry.name), `${path}/`);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
    }
  };
  await visit(root, '');
  return out.sort();
}
