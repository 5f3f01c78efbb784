import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { LinkedWorkspace } from './readWorkspace.js';

/** The scope whose dependencies the scaffolder resolves. */
export const SCOPE = '@sdxl-trainer/';

/**
 * Where a new project's dependencies come from.
 * - `release`: the npm registry, at the versions this scaffolder was released with (`versions`, recorded at build
 *   time; `fallbackVersion` for a name it has none for), or one range for all (`override`, --sdxl-trainer-version).
 * - `link`: a local sdxl-trainer checkout (--link): its packages as `file:` folders.
 */
export type DependencySource =
  | { readonly kind: 'release'; readonly versions: Readonly<Record<string, string>>; readonly fallbackVersion: string; readonly override?: string | undefined }
  | { readonly kind: 'link'; readonly workspace: LinkedWorkspace };

/**
 * The spec a template's dependency is written with.
 *
 * Template specs of our scope are pnpm-style placeholders: `workspace:^` → `^<version>`, `workspace:~` → `~<version>`,
 * `workspace:*` → `<version>`, `workspace:<range>` → `<range>`; other specs are kept.
 *
 * In link mode every dependency of our scope becomes `file:<its folder>`, and so does a dependency from elsewhere that
 * the workspace's packages depend on too (tfjs-core, zod), taken from the checkout's node_modules. why: linked
 * packages resolve their dependencies from the checkout, so the project's own copy would be a second one (a second
 * tfjs-core engine), where an install from the registry dedupes to one.
 */
export function dependencySpec(name: string, spec: string, source: DependencySource): string {
  if (source.kind === 'link') return linkedSpec(name, spec, source.workspace);
  if (!name.startsWith(SCOPE) || !spec.startsWith('workspace:')) return spec;
  if (source.override !== undefined) return source.override;
  const range = spec.slice('workspace:'.length);
  const version = source.versions[name] ?? source.fallbackVersion;
  if (range === '^' || range === '~') return `${range}${version}`;
  if (range === '*' || range === '') return version;
  return range;
}

function linkedSpec(name: string, spec: string, workspace: LinkedWorkspace): string {
  if (name.startsWith(SCOPE)) {
    const folder = workspace.packages.get(name);
    if (folder) return `file:${folder}`;
    throw new SdxlError(ErrorCode.SCAFFOLD_LINK_INVALID, `--link ${workspace.repo}: the template needs ${name}, and no workspace package of that repository has that name`, {
      details: { repo: workspace.repo, package: name },
    });
  }
  const installed = join(workspace.repo, 'node_modules', name);
  return workspace.shared.has(name) && existsSync(join(installed, 'package.json')) ? `file:${installed}` : spec;
}
