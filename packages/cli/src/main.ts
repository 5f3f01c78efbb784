import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Trainer, loadConfig, suggestName, type LogLevel } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { backendCommand } from './backendCommand.js';
import { formatError } from './formatError.js';
import { ProgressRenderer, type Terminal } from './ProgressRenderer.js';
import { CLI_OPTIONS, usage } from './usage.js';

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
  const version = readVersion();
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    io.stderr.write(`sdxl-train: ${error instanceof Error ? error.message : String(error)}\nRun sdxl-train --help for the options.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${usage(version)}\n`);
    return 0;
  }
  if (args.version) {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  if (!args.config) {
    io.stderr.write('sdxl-train: --config <file> is required (for example --config sdxl.config.ts)\nRun sdxl-train --help for the options.\n');
    return 2;
  }
  const interval = args['log-interval'] === undefined ? 10 : Number(args['log-interval']);
  if (!(interval > 0)) {
    io.stderr.write(`sdxl-train: --log-interval must be a positive number of seconds, got "${args['log-interval']}"\n`);
    return 2;
  }
  const minimum = args.quiet ? LEVELS.warn : args.verbose ? LEVELS.debug : LEVELS.info;

  let trainer: Trainer;
  try {
    trainer = new Trainer(await loadConfig(args.config));
  } catch (error) {
    io.stderr.write(`${formatError(error)}\n`);
    return isSdxlError(error) && (error.code === ErrorCode.CONFIG_INVALID || error.code === ErrorCode.CONFIG_NOT_FOUND || error.code === ErrorCode.CONFIG_LOAD_FAILED) ? 2 : 1;
  }

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

function parse(argv: readonly string[]) {
  const options = Object.fromEntries(
    Object.entries(CLI_OPTIONS).map(([name, o]) => [name, { type: o.type, ...('short' in o ? { short: o.short } : {}) }]),
  ) as { [K in keyof typeof CLI_OPTIONS]: { type: (typeof CLI_OPTIONS)[K]['type']; short?: string } };
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const suggestion = suggestName(unknown.replace(/^-+/, ''), Object.keys(CLI_OPTIONS));
      throw new SdxlError(ErrorCode.CLI_USAGE, `unknown option ${unknown}${suggestion ? `; did you mean --${suggestion}?` : ''}`);
    }
    throw new SdxlError(ErrorCode.CLI_USAGE, message.replace(/\. To specify a positional argument.*$/s, ''));
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
