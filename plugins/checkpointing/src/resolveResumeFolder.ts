import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { listCheckpoints } from './checkpointFolders.js';

/**
 * The checkpoint folder `--resume_from_checkpoint` names, as the script resolves it: `'latest'` is the
 * highest-numbered `checkpoint-<n>` in `outputDir` (undefined when there is none: the run starts fresh); a folder
 * name is looked up in `outputDir`; a path is used as given, and otherwise its last part is looked up in
 * `outputDir` (the script only ever uses `basename`). A named checkpoint that is not there is an error.
 */
export async function resolveResumeFolder(resumeFrom: string, outputDir: string): Promise<string | undefined> {
  const available = await listCheckpoints(outputDir);
  if (resumeFrom === 'latest') {
    const latest = available.at(-1);
    return latest ? join(outputDir, latest.name) : undefined;
  }
  const isPath = isAbsolute(resumeFrom) || resumeFrom.includes('/') || resumeFrom.includes(sep);
  const candidates = [...(isPath ? [resolve(resumeFrom)] : []), join(outputDir, basename(resumeFrom))];
  for (const candidate of candidates) if (await isFolder(candidate)) return candidate;
  const listing = available.length > 0 ? `checkpoints in ${outputDir}: ${available.map((c) => c.name).join(', ')}` : `there are no checkpoints in ${outputDir}`;
  throw new SdxlError(ErrorCode.CHECKPOINT_NOT_FOUND, `resumeFrom (--resume_from_checkpoint) "${resumeFrom}": no checkpoint folder at ${candidates.join(' or ')}; ${listing}, or use "latest"`, {
    details: { resumeFrom, tried: candidates },
  });
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
