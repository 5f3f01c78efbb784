import { parseArgs } from 'node:util';
import { suggestName, type RunConfig } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { SdxlPresetOptions } from '@sdxl-trainer/preset-sdxl';
import { CLI_OPTIONS } from '../usage.js';
import { FLAG_NOTES, SCRIPT_FLAGS, type ScriptFlag, type ScriptFlagName } from './scriptFlags.js';

/** A command line split by where each value goes. */
export interface ParsedCommandLine {
  /** The CLI's own options (--config, --log-interval, --verbose, --quiet, --help, --version, --backend, --threads). */
  readonly cli: { readonly [K in keyof typeof CLI_OPTIONS]?: string | boolean | undefined };
  /** Core run options given as script flags. */
  readonly core: Partial<RunConfig>;
  /** SDXL preset options given as script flags. */
  readonly preset: Partial<SdxlPresetOptions>;
  /** One line per given flag that has no TensorFlow.js meaning, saying what it does here. */
  readonly notes: readonly string[];
}

/** `train_batch_size` → `trainBatchSize`, `use_8bit_adam` → `use8bitAdam`. */
export function camelCase(flag: string): string {
  return flag.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Parse `sdxl-train`'s command line: the CLI's own options and every flag of train_text_to_image_sdxl.py
 * (`--flag value`, `--flag=value`, store-true flags bare). An unknown flag, a missing value or a value of the
 * wrong kind is an SdxlError(CLI_USAGE) naming the flag and what it takes ("did you mean" for typos).
 */
export function parseScriptFlags(argv: readonly string[]): ParsedCommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(CLI_OPTIONS)) options[name] = { type: o.type, ...('short' in o ? { short: o.short } : {}) };
  for (const [name, flag] of Object.entries(SCRIPT_FLAGS) as Array<[ScriptFlagName, ScriptFlag]>) options[name] = { type: flag.kind === 'bool' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error), Object.keys(options));
  }
  const cli: Record<string, string | boolean | undefined> = {};
  const core: Record<string, unknown> = {};
  const preset: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    if (name in CLI_OPTIONS) {
      cli[name] = raw;
      continue;
    }
    const flag = SCRIPT_FLAGS[name as ScriptFlagName] as ScriptFlag;
    const value = convert(name, flag, raw);
    if (flag.target === 'core') core[camelCase(name)] = value;
    else if (flag.target === 'preset') preset[camelCase(name)] = value;
    const note = FLAG_NOTES[name as ScriptFlagName];
    if (note) notes.push(note(value));
  }
  return { cli, core: core as Partial<RunConfig>, preset: preset as Partial<SdxlPresetOptions>, notes };
}

function convert(name: string, flag: ScriptFlag, raw: string | boolean): unknown {
  if (flag.kind === 'bool') return raw === true;
  const text = String(raw);
  const fail = (expected: string) => new SdxlError(ErrorCode.CLI_USAGE, `--${name} ${JSON.stringify(text)}: expected ${expected}`, { details: { flag: name, value: text } });
  switch (flag.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(text.trim())) throw fail('an integer');
      return Number(text);
    }
    case 'float': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw fail('a number');
      return value;
    }
    case 'choice': {
      if (!flag.choices!.includes(text)) throw fail(`one of ${flag.choices!.join(', ')}`);
      return text;
    }
    default:
      return text;
  }
}

function usageError(message: string, known: readonly string[]): SdxlError {
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (unknown) {
    const suggestion = suggestName(unknown.replace(/^-+/, '').replace(/-/g, '_'), known);
    return new SdxlError(ErrorCode.CLI_USAGE, `unknown option ${unknown}${suggestion ? `; did you mean --${suggestion}?` : ''}`, { details: { flag: unknown } });
  }
  const missing = /Option '(-[^']+)' argument missing/.exec(message)?.[1];
  if (missing) return new SdxlError(ErrorCode.CLI_USAGE, `${missing.replace(/^-\w, /, '')} needs a value`, { details: { flag: missing } });
  return new SdxlError(ErrorCode.CLI_USAGE, message.replace(/\. To specify a positional argument.*$/s, ''));
}
