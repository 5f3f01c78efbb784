import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { runCommand } from './runCommand.js';

/** The file name `npm pack` gives a package: `@tensorflow/tfjs-node@4.22.0` → `tensorflow-tfjs-node-4.22.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/**
 * The npm tarball of `name@version` in `dir`: reused when already there, else fetched with `npm pack`
 * (npm's own cache first, so it works offline once fetched). No install script runs.
 */
export async function packTarball(name: string, version: string, dir: string, npm: string, onLog?: (line: string) => void): Promise<string> {
  const file = path.join(dir, tarballName(name, version));
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  onLog?.(`npm pack ${name}@${version}`);
  const result = await runCommand(npm, ['pack', `${name}@${version}`, '--pack-destination', dir, '--prefer-offline', '--silent']);
  if (result.code !== 0 || !existsSync(file)) {
    throw new SdxlError(
      ErrorCode.BACKEND_LINK_DOWNLOAD_FAILED,
      `could not fetch ${name}@${version} from the npm registry (npm pack exited ${result.code}: ${lastLine(result.tail)}). ` +
        `On a machine with access run \`npm pack ${name}@${version}\` and put ${path.basename(file)} in ${dir}, then link again.`,
      { details: { package: `${name}@${version}`, dir } },
    );
  }
  return file;
}

/** Unpacks an npm tarball (its `package/` folder) into `dest`. */
export async function unpackTarball(file: string, dest: string, tar: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  const result = await runCommand(tar, ['-xzf', file, '-C', dest, '--strip-components=1']);
  if (result.code !== 0) {
    throw new SdxlError(ErrorCode.BACKEND_LINK_BUILD_FAILED, `could not unpack ${file}: ${lastLine(result.tail)}; delete it and link again`, { details: { file } });
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? 'no output';
}
