import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fnmatch } from './fnmatch.js';

/** A file of a folder to upload: its absolute path and its path relative to the folder (with `/`). */
export interface FolderFile {
  readonly absolutePath: string;
  readonly relativePath: string;
  readonly size: number;
}

// why: huggingface_hub's DEFAULT_IGNORE_PATTERNS for upload_folder: git metadata and its own local-dir cache.
const ALWAYS_IGNORED = ['.git', '.git/*', '*/.git', '*/.git/*', '.cache/huggingface', '.cache/huggingface/*', '*/.cache/huggingface/*'];

/**
 * Every file under `folder` (following symlinks, so a cache snapshot can be uploaded), sorted, minus `.git/`,
 * `.cache/huggingface/` and what matches `ignorePatterns` (fnmatch on the relative path); with `allowPatterns`
 * only the matching files are kept.
 */
export async function collectFolderFiles(
  folder: string,
  allowPatterns?: readonly string[],
  ignorePatterns?: readonly string[],
): Promise<FolderFile[]> {
  const ignore = [...ALWAYS_IGNORED, ...(ignorePatterns ?? []).map((p) => (p.endsWith('/') ? `${p}*` : p))];
  const allow = allowPatterns?.map((p) => (p.endsWith('/') ? `${p}*` : p));
  const files: FolderFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolutePath = join(dir, entry.name);
      const relativePath = prefix + entry.name;
      if (ignore.some((pattern) => fnmatch(relativePath, pattern))) continue;
      const info = await stat(absolutePath);
      if (info.isDirectory()) await walk(absolutePath, `${relativePath}/`);
      else if (info.isFile() && (allow === undefined || allow.some((pattern) => fnmatch(relativePath, pattern)))) {
        files.push({ absolutePath, relativePath, size: info.size });
      }
    }
  };
  await walk(folder, '');
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}
