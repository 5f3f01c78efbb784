import { spawn } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { intro, log, note, outro } from '@clack/prompts';
import { ErrorCode, isSdxlError } from '@sdxl-trainer/errors';
import { askAnswers, type Answers } from './askAnswers.js';
import type { DependencySource } from './dependencySource.js';
import { nextSteps } from './nextSteps.js';
import { ownVersion, releaseVersions, templateDir } from './packageFiles.js';
import { detectPackageManager } from './packageManager.js';
import { parseArgs, usage, type CliArgs } from './parseArgs.js';
import { scaffold } from './scaffold.js';
import { defaultTargetDir } from './templates.js';
import { readWorkspace } from './readWorkspace.js';

/** What the CLI talks to; {@link processIo} gives the process's own. */
export interface CreateIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Run a command in a folder, its output shown to the person; resolves with its exit code. */
  run(command: string, args: readonly string[], cwd: string): Promise<number>;
}

/** Run `create-sdxl-trainer` with these arguments; resolves with the exit code (0 done, 1 failed or cancelled, 2 bad command line). */
export async function main(argv: readonly string[], io: CreateIo = processIo()): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    io.stderr.write(`create-sdxl-trainer: ${messageOf(error)}\nRun create-sdxl-trainer --help for the flags.\n`);
    return 2;
  }
  if (args.help || args.version) {
    io.stdout.write(args.help ? usage(ownVersion()) : `${ownVersion()}\n`);
    return 0;
  }

  // why: create-vite's rule — prompts only when a person can answer them, unless the flags say otherwise.
  const interactive = args.interactive ?? Boolean(io.stdin.isTTY);
  const packageManager = args.packageManager ?? detectPackageManager(io.env['npm_config_user_agent']);
  const streams = { input: io.stdin, output: io.stdout };
  if (interactive) intro('create-sdxl-trainer', streams);
  try {
    // why first: a bad --link fails before anyone answers a prompt
    const source = await dependencySource(args, io.cwd);
    const answers = interactive ? await askAnswers(args, packageManager, { ...streams, cwd: io.cwd }) : fromFlags(args);
    if (!answers) return 1;
    const result = await scaffold({ targetDir: resolve(io.cwd, answers.targetDir), templateDir: templateDir(answers.template), overwrite: answers.overwrite, source });
    const where = relative(io.cwd, result.targetDir) || '.';
    const done = `created ${result.packageName} from the ${answers.template} template in ${where} (${result.files.length} files${result.removed.length > 0 ? `; removed ${result.removed.length} entries that were there` : ''})`;
    if (interactive) log.success(done, streams);
    else io.stdout.write(`${done}\n`);

    let installed = false;
    if (answers.install) {
      if (interactive) log.step(`${packageManager} install`, streams);
      else io.stdout.write(`${packageManager} install\n`);
      const code = await io.run(packageManager, ['install'], result.targetDir);
      installed = code === 0;
      if (!installed) io.stderr.write(`create-sdxl-trainer: ${packageManager} install exited with ${code}; the project is there, install its dependencies by hand\n`);
    }
    const steps = nextSteps({ template: answers.template, targetDir: result.targetDir, cwd: io.cwd, packageManager, installed });
    if (interactive) {
      note(steps.join('\n'), 'Next', streams);
      outro('Happy training.', streams);
    } else {
      io.stdout.write(`\nNext:\n${steps.map((line) => `  ${line}`).join('\n')}\n`);
    }
    return answers.install && !installed ? 1 : 0;
  } catch (error) {
    io.stderr.write(`create-sdxl-trainer: ${messageOf(error)}\n`);
    return isSdxlError(error) && error.code === ErrorCode.SCAFFOLD_USAGE ? 2 : 1;
  }
}

function fromFlags(args: CliArgs): Answers {
  const template = args.template ?? 'default';
  return { template, targetDir: args.targetDir ?? defaultTargetDir(template), overwrite: args.overwrite ?? false, install: args.install ?? false };
}

async function dependencySource(args: CliArgs, cwd: string): Promise<DependencySource> {
  if (args.link !== undefined) {
    return { kind: 'link', workspace: await readWorkspace(resolve(cwd, args.link)) };
  }
  return { kind: 'release', versions: releaseVersions(), fallbackVersion: ownVersion(), override: args.sdxlTrainerVersion };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The process's own streams, folder and environment; commands run with the terminal inherited. */
export function processIo(): CreateIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    run: (command, args, cwd) =>
      new Promise((done, fail) => {
        // why: on Windows npm, pnpm and yarn are .cmd scripts, which only a shell starts.
        const child = spawn(command, [...args], { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
        child.on('error', fail);
        child.on('close', (code) => done(code ?? 1));
      }),
  };
}
