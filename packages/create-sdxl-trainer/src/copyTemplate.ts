import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Files a template stores under another name. why: npm never publishes a `.gitignore` (it becomes `.npmignore`
 * rules) and a package's own `.npmrc` is dropped too, so templates keep them as `_gitignore` and `_npmrc`.
 */
export const RENAMED_FILES: Readonly<Record<string, string>> = { _gitignore: '.gitignore', _npmrc: '.npmrc' };

/** Copy a template folder into `targetDir` (which must exist), renaming {@link RENAMED_FILES}; returns the paths written, relative to `targetDir`. */
export async function copyTemplate(templateDir: string, targetDir: string): Promise<string[]> {
  const written: string[] = [];
  await copyFolder(templateDir, targetDir, targetDir, written);
  return written.sort();
}

async function copyFolder(from: string, to: string, root: string, written: string[]): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const target = join(to, RENAMED_FILES[entry.name] ?? entry.name);
    if (entry.isDirectory()) {
      await mkdir(target, { recursive: true });
      await copyFolder(join(from, entry.name), target, root, written);
    } else if (entry.isFile()) {
      await copyFile(join(from, entry.name), target);
      written.push(relative(root, target));
    }
  }
}
