import { parseArgs as parseNodeArgs } from 'node:util';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { isPackageManager, PACKAGE_MANAGERS, type PackageManager } from './packageManager.js';
import { isTemplateName, TEMPLATES, type TemplateName } from './templates.js';

/** The command line of `create-sdxl-trainer`, parsed. Unset flags are undefined, so prompts ask only for what is missing. */
export interface CliArgs {
  readonly targetDir: string | undefined;
  readonly template: TemplateName | undefined;
  readonly overwrite: boolean | undefined;
  /** `--interactive` / `--no-interactive`; undefined: interactive when stdin is a terminal. */
  readonly interactive: boolean | undefined;
  /** `--install` / `--no-install`; undefined: asked when interactive, no otherwise. */
  readonly install: boolean | undefined;
  readonly packageManager: PackageManager | undefined;
  /** `--sdxl-trainer-version <range>`: one range for every @sdxl-trainer/* dependency. */
  readonly sdxlTrainerVersion: string | undefined;
  /** `--link <repo>`: @sdxl-trainer/* dependencies as `file:` folders of a local sdxl-trainer checkout. */
  readonly link: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

const OPTIONS = {
  template: { type: 'string', short: 't' },
  overwrite: { type: 'boolean' },
  interactive: { type: 'boolean' },
  install: { type: 'boolean' },
  'package-manager': { type: 'string' },
  'sdxl-trainer-version': { type: 'string' },
  link: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Parse `create-sdxl-trainer [dir] [flags]`; a bad command line throws SdxlError(SCAFFOLD_USAGE) naming the flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new SdxlError(ErrorCode.SCAFFOLD_USAGE, error instanceof Error ? error.message : String(error), { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new SdxlError(ErrorCode.SCAFFOLD_USAGE, `expected at most one target folder, got ${positionals.length}: ${positionals.join(' ')}`, { details: { positionals } });
  }
  const template = values.template;
  if (template !== undefined && !isTemplateName(template)) {
    throw new SdxlError(ErrorCode.SCAFFOLD_TEMPLATE_UNKNOWN, `--template "${template}": expected one of ${TEMPLATES.map((t) => t.name).join(', ')}`, { details: { template } });
  }
  const packageManager = values['package-manager'];
  if (packageManager !== undefined && !isPackageManager(packageManager)) {
    throw new SdxlError(ErrorCode.SCAFFOLD_USAGE, `--package-manager "${packageManager}": expected one of ${PACKAGE_MANAGERS.join(', ')}`, { details: { packageManager } });
  }
  if (values.link !== undefined && values['sdxl-trainer-version'] !== undefined) {
    throw new SdxlError(ErrorCode.SCAFFOLD_USAGE, '--link and --sdxl-trainer-version both say where @sdxl-trainer/* packages come from: pass one of them');
  }
  return {
    targetDir: positionals[0],
    template,
    overwrite: values.overwrite,
    interactive: values.interactive,
    install: values.install,
    packageManager,
    sdxlTrainerVersion: values['sdxl-trainer-version'],
    link: values.link,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseNodeArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, allowNegative: true, strict: true });
}

/** `create-sdxl-trainer --help`. */
export function usage(version: string): string {
  const templates = TEMPLATES.map((t) => `  ${t.name.padEnd(9)}${t.title}: ${t.hint}`).join('\n');
  return `create-sdxl-trainer ${version}: start an sdxl-trainer project or plugin package

Usage: npm create sdxl-trainer [dir] -- [flags]
       npx create-sdxl-trainer [dir] [flags]

Templates (--template, -t):
${templates}

Flags:
  --template, -t <name>             the template (asked on a terminal; default: default)
  --overwrite                       empty a folder that holds files (a .git folder is kept) instead of refusing it
  --no-interactive                  never prompt (the default when stdin is not a terminal)
  --install, --no-install           install dependencies afterwards (asked on a terminal; default: no)
  --package-manager <npm|pnpm|yarn> for --install and the next steps (default: the one running this command)
  --sdxl-trainer-version <range>    one version range for every @sdxl-trainer/* dependency (default: this release's)
  --link <repo>                     depend on the packages of a local sdxl-trainer checkout (file: folders), for testing it
  --help, -h                        this text
  --version, -v                     the version
`;
}
