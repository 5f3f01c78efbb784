import { readFileSync } from 'node:fs';
import { Trainer, type LogLevel } from '@sdxl-trainer/core';
import { ErrorCode, isSdxlError } from '@sdxl-trainer/errors';
import { buildRunConfig } from './flags/buildRunConfig.js';
import { parseScriptFlags, type ParsedCommandLine } from './flags/parseScriptFlags.js';
import { SCRIPT_FLAGS } from './flags/scriptFlags.js';
import { backendCommand } from './backendCommand.js';
import { wandbSyncCommand } from './wandbSyncCommand.js';
import { formatError } from './formatError.js';
import { ProgressRenderer, type Terminal } from './ProgressRenderer.js';
import { flagsUsage, usage } from './usage.js';

/** What the CLI talks to; the defaults are the process's own streams and signals. */
export interface CliIo {
  readonly stdout: Terminal;
  readonly stderr: { write(text: string): void };
  /** Subscribe to Ctrl-C; returns an unsubscribe function. */
  onInterrupt(handler: () => void): () => void;
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Run `sdxl-train` with these arguments; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  if (argv[0] === 'backend') return backendCommand(argv.slice(1), io);
  if (argv[0] === 'wandb-sync') return wandbSyncCommand(argv.slice(1), io);
  const version = readVersion();
  let commandLine: ParsedCommandLine;
  try {
    commandLine = parseScriptFlags(argv);
  } catch (error) {
    io.stderr.write(`sdxl-train: ${error instanceof Error ? error.message : String(error)}\nRun sdxl-train --help for the options.\n`);
    return 2;
  }
  const args = commandLine.cli;
  if (args.help) {
    io.stdout.write(`${usage(version)}\n`);
    return 0;
  }
  if (args['help-flags']) {
    io.stdout.write(`${flagsUsage(SCRIPT_FLAGS)}\n`);
    return 0;
  }
  if (args.version) {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const interval = args['log-interval'] === undefined ? 10 : Number(args['log-interval']);
  if (!(interval > 0)) {
    io.stderr.write(`sdxl-train: --log-interval must be a positive number of seconds, got "${String(args['log-interval'])}"\n`);
    return 2;
  }
  const minimum = args.quiet ? LEVELS.warn : args.verbose ? LEVELS.debug : LEVELS.info;

  let trainer: Trainer;
  try {
    trainer = new Trainer(await buildRunConfig(commandLine));
  } catch (error) {
    io.stderr.write(`${formatError(error)}\n`);
    const usageProblem = isSdxlError(error) && [ErrorCode.CONFIG_INVALID, ErrorCode.CONFIG_NOT_FOUND, ErrorCode.CONFIG_LOAD_FAILED, ErrorCode.CLI_USAGE].includes(error.code as never);
    return usageProblem ? 2 : 1;
  }
  for (const note of commandLine.notes) io.stdout.write(`${note}\n`);

  const renderer = new ProgressRenderer(io.stdout, interval);
  const subscription = trainer.events$.subscribe((event) => {
    if (event.type === 'progress' && !args.quiet) renderer.update(event);
    else if (event.type === 'log' && LEVELS[event.level] >= minimum) renderer.log(event.level, event.message);
  });
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts += 1;
    if (interrupts === 1) {
      renderer.log('warn', 'Ctrl-C: stopping after the current step (the model is still saved); press Ctrl-C again to abort now');
      trainer.requestStop('interrupted (Ctrl-C)');
    } else {
      renderer.finish();
      io.stderr.write('sdxl-train: aborted\n');
      process.exit(130);
    }
  });
  try {
    const summary = await trainer.run();
    renderer.finish();
    const how = summary.status === 'stopped' ? `stopped at step ${summary.globalStep} (${summary.stopReason})` : `finished ${summary.globalStep} steps`;
    io.stdout.write(`${how} in ${summary.durationSeconds.toFixed(1)} s; last loss ${summary.lastLoss?.toFixed(4) ?? '—'}; seed ${summary.seed}\n`);
    return summary.status === 'stopped' && interrupts > 0 ? 130 : 0;
  } catch (error) {
    renderer.finish();
    io.stderr.write(`${formatError(error)}\n`);
    return 1;
  } finally {
    unsubscribe();
    subscription.unsubscribe();
  }
}

function processIo(): CliIo {
  return {
    stdout: {
      write: (text) => void process.stdout.write(text),
      isTTY: Boolean(process.stdout.isTTY),
      columns: process.stdout.columns ?? 100,
      now: () => performance.now(),
    },
    stderr: { write: (text) => void process.stderr.write(text) },
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
  };
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
