/** The package managers the next steps and `--install` speak. */
export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;

/** One of {@link PACKAGE_MANAGERS}. */
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** True when `name` is one of {@link PACKAGE_MANAGERS}. */
export function isPackageManager(name: string): name is PackageManager {
  return (PACKAGE_MANAGERS as readonly string[]).includes(name);
}

/**
 * The package manager that ran us, from `npm_config_user_agent` (e.g. `pnpm/9.1.0 npm/? node/v20.19.0 linux x64`),
 * which npm, pnpm and yarn all set for `<pm> create`; npm when it names none of them.
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return name !== undefined && isPackageManager(name) ? name : 'npm';
}

/** The command that runs a package script: `npm run train`, `pnpm train`, `yarn train`. */
export function runCommand(packageManager: PackageManager, script: string): string {
  if (packageManager !== 'npm') return `${packageManager} ${script}`;
  return script === 'test' || script === 'start' ? `npm ${script}` : `npm run ${script}`;
}

/** The command that passes flags through to a script: `npm run train -- --max_train_steps 2`. */
export function runWithArgs(packageManager: PackageManager, script: string, args: string): string {
  return packageManager === 'npm' ? `npm run ${script} -- ${args}` : `${packageManager} ${script} ${args}`;
}
