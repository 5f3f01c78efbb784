import { dependencySpec, type DependencySource } from './dependencySource.js';

/** A package.json as plain JSON. */
export type Manifest = Record<string, unknown>;

// why not peerDependencies: a peer range says what the package works with; it is never rewritten.
const INSTALLED = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** The new project's package.json: the template's, with `name` set and its dependencies resolved from `source` (see {@link dependencySpec}). */
export function rewriteManifest(template: Manifest, options: { readonly name: string; readonly source: DependencySource }): Manifest {
  const manifest: Manifest = { ...template, name: options.name };
  for (const field of INSTALLED) {
    const dependencies = template[field];
    if (dependencies === null || typeof dependencies !== 'object') continue;
    manifest[field] = Object.fromEntries(Object.entries(dependencies as Record<string, string>).map(([name, spec]) => [name, dependencySpec(name, spec, options.source)]));
  }
  return manifest;
}
