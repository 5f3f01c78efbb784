import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Write `data` to `path` through a temporary file renamed into place, so a reader never sees half a file. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await replaceAtomically(path, (temporary) => writeFile(temporary, data));
}

/** Copy `source` (symlinks followed) to `destination` through a temporary file renamed into place. */
export async function copyFileAtomically(source: string, destination: string): Promise<void> {
  await replaceAtomically(destination, (temporary) => copyFile(source, temporary));
}

/** JSON as Python's `json.dumps(value, indent=2, sort_keys=True)` lays it out (what diffusers writes), plus a newline. */
export function diffusersJson(value: Readonly<Record<string, unknown>>): string {
  const sorted = Object.fromEntries(Object.keys(value).sort().map((key) => [key, value[key]]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

async function replaceAtomically(path: string, fill: (temporary: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await fill(temporary);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
