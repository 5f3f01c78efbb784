import { createHash } from 'node:crypto';
import type { StoredCommit, StoredFile } from './HubStore.js';

/** One entry of the Hub's tree and paths-info answers. */
export interface TreeEntry {
  readonly type: 'file' | 'directory';
  readonly oid: string;
  readonly size: number;
  readonly path: string;
  readonly lfs?: { readonly oid: string; readonly size: number; readonly pointerSize: number };
  readonly lastCommit?: { readonly id: string; readonly title: string; readonly date: string };
}

/** The entry of a file, as `/api/{type}s/{repo}/tree` reports it (size is the real size, also for LFS files). */
export function fileEntry(path: string, file: StoredFile, commit: StoredCommit, expand: boolean): TreeEntry {
  return {
    type: 'file',
    oid: file.oid,
    size: file.content.byteLength,
    path,
    ...(file.lfs === undefined ? {} : { lfs: { oid: file.lfs.sha256, size: file.lfs.size, pointerSize: file.lfs.pointerSize } }),
    ...(expand ? { lastCommit: commitSummary(commit) } : {}),
  };
}

/** The entry of a folder (its oid is a stand-in for git's tree id). */
export function directoryEntry(path: string, commit: StoredCommit, expand: boolean): TreeEntry {
  const oid = createHash('sha1').update(`tree ${commit.sha} ${path}`).digest('hex');
  return { type: 'directory', oid, size: 0, path, ...(expand ? { lastCommit: commitSummary(commit) } : {}) };
}

/** Whether `path` is a folder of the commit (some file lives under it). */
export function isDirectory(commit: StoredCommit, path: string): boolean {
  const prefix = `${path}/`;
  for (const file of commit.files.keys()) if (file.startsWith(prefix)) return true;
  return false;
}

/** The tree under `folder` ('' = root): every file and folder when recursive, else the direct children. */
export function listTree(commit: StoredCommit, folder: string, recursive: boolean, expand: boolean): TreeEntry[] {
  const prefix = folder === '' ? '' : `${folder}/`;
  const directories = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const [path, file] of commit.files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).split('/');
    const depth = recursive ? rest.length - 1 : Math.min(1, rest.length - 1);
    for (let i = 1; i <= depth; i += 1) directories.add(prefix + rest.slice(0, i).join('/'));
    if (recursive || rest.length === 1) entries.push(fileEntry(path, file, commit, expand));
  }
  for (const directory of directories) entries.push(directoryEntry(directory, commit, expand));
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function commitSummary(commit: StoredCommit): { id: string; title: string; date: string } {
  return { id: commit.sha, title: commit.title, date: commit.date.toISOString() };
}
