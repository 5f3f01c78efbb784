import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { copyTemplate } from './copyTemplate.js';
import type { DependencySource } from './dependencySource.js';
import { isValidPackageName, toValidPackageName } from './packageName.js';
import { rewriteManifest, type Manifest } from './rewriteManifest.js';
import { emptyTargetDir, existingEntries } from './targetDir.js';

/** What to scaffold, and where. */
export interface ScaffoldOptions {
  /** The folder the project is created in (made if missing). */
  readonly targetDir: string;
  /** The template folder to copy (`template-<name>` inside this package). */
  readonly templateDir: string;
  /** The new package.json's name (default: made from the target folder's name). */
  readonly packageName?: string | undefined;
  /** Empty a target folder that holds files (a `.git` folder is kept); without it such a folder is refused. */
  readonly overwrite?: boolean | undefined;
  /** Where the project's @sdxl-trainer/* dependencies come from. */
  readonly source: DependencySource;
}

/** What {@link scaffold} did. */
export interface ScaffoldResult {
  /** Absolute path of the new project. */
  readonly targetDir: string;
  readonly packageName: string;
  /** Files written, relative to the project. */
  readonly files: readonly string[];
  /** What was in the folder before and was removed (with `overwrite`). */
  readonly removed: readonly string[];
}

/** Create a project from a template: copy it, rename `_gitignore`/`_npmrc`, set the package name, resolve @sdxl-trainer/* dependencies. */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const targetDir = resolve(options.targetDir);
  if (!existsSync(join(options.templateDir, 'package.json'))) {
    throw new SdxlError(ErrorCode.SCAFFOLD_TEMPLATE_MISSING, `template folder ${options.templateDir} has no package.json; if this is a checkout of sdxl-trainer, run \`npm run build\` in packages/create-sdxl-trainer to copy the templates`, {
      details: { templateDir: options.templateDir },
    });
  }
  const packageName = options.packageName ?? toValidPackageName(basename(targetDir));
  if (!isValidPackageName(packageName)) {
    throw new SdxlError(ErrorCode.SCAFFOLD_PACKAGE_NAME_INVALID, `"${packageName}" is not a valid npm package name: use lower-case letters, digits, "-", "." or "_" (optionally @scope/name)`, {
      details: { packageName },
    });
  }
  const removed = await existingEntries(targetDir);
  if (removed.length > 0 && !options.overwrite) {
    const shown = removed.length > 5 ? `${removed.slice(0, 5).join(', ')}, …` : removed.join(', ');
    throw new SdxlError(
      ErrorCode.SCAFFOLD_TARGET_NOT_EMPTY,
      `${targetDir} is not empty (${removed.length} ${removed.length === 1 ? 'entry' : 'entries'}: ${shown}); choose another folder, or pass --overwrite to remove what is there first`,
      { details: { targetDir, entries: removed } },
    );
  }
  await emptyTargetDir(targetDir);
  const files = await copyTemplate(options.templateDir, targetDir);
  const manifestFile = join(targetDir, 'package.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
  await writeFile(manifestFile, `${JSON.stringify(rewriteManifest(manifest, { name: packageName, source: options.source }), null, 2)}\n`);
  return { targetDir, packageName, files, removed };
}
