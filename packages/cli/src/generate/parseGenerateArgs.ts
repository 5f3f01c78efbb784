import { parseArgs } from 'node:util';
import { suggestName } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { isBackendName, type BackendName } from '@sdxl-trainer/tensor';
import { GENERATE_OPTIONS } from './generateUsage.js';

/** A checked `sdxl-generate` command line. */
export interface GenerateArgs {
  readonly help: boolean;
  readonly version: boolean;
  readonly model: string;
  readonly prompt: string;
  readonly negativePrompt: string | undefined;
  readonly guidanceScale: number;
  readonly steps: number;
  readonly seed: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly numImages: number;
  readonly out: string;
  readonly backend: BackendName;
  readonly threads: number | undefined;
  readonly variant: string | undefined;
  readonly revision: string | undefined;
}

/** Parses and checks the arguments; every problem is `SdxlError(CLI_USAGE)` saying what was expected. */
export function parseGenerateArgs(argv: readonly string[]): GenerateArgs {
  const values = parseValues(argv);
  const flags = { help: values.help === true, version: values.version === true };
  if (flags.help || flags.version) return { ...flags, ...defaults() };
  if (values.model === undefined || values.model === '') throw usage('--model <folder|hub id> is required (a diffusers SDXL folder or e.g. stabilityai/stable-diffusion-xl-base-1.0)');
  if (values.prompt === undefined) throw usage('--prompt <text> is required');
  const backend = values.backend ?? 'auto';
  if (!isBackendName(backend)) throw usage(`--backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu, got "${backend}"`);
  const width = optionalInteger(values.width, '--width', (n) => n > 0 && n % 8 === 0, 'a positive multiple of 8');
  const height = optionalInteger(values.height, '--height', (n) => n > 0 && n % 8 === 0, 'a positive multiple of 8');
  return {
    ...flags,
    model: values.model,
    prompt: values.prompt,
    negativePrompt: values['negative-prompt'],
    guidanceScale: number(values['guidance-scale'], '--guidance-scale', 5),
    steps: optionalInteger(values.steps, '--steps', (n) => n >= 1 && n <= 1000, 'an integer from 1 to 1000') ?? 50,
    seed: optionalInteger(values.seed, '--seed', (n) => n >= 0 && n <= 2 ** 32, 'an integer from 0 to 4294967296'),
    width,
    height,
    numImages: optionalInteger(values['num-images'], '--num-images', (n) => n >= 1, 'a positive integer') ?? 1,
    out: values.out ?? 'generated',
    backend,
    threads: optionalInteger(values.threads, '--threads', (n) => n >= 1 && n <= 8, 'an integer from 1 to 8'),
    variant: values.variant,
    revision: values.revision,
  };
}

function parseValues(argv: readonly string[]) {
  const options = Object.fromEntries(
    Object.entries(GENERATE_OPTIONS).map(([name, o]) => [name, { type: o.type, ...('short' in o ? { short: o.short } : {}) }]),
  ) as { [K in keyof typeof GENERATE_OPTIONS]: { type: (typeof GENERATE_OPTIONS)[K]['type']; short?: string } };
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const suggestion = suggestName(unknown.replace(/^-+/, ''), Object.keys(GENERATE_OPTIONS));
      throw usage(`unknown option ${unknown}${suggestion ? `; did you mean --${suggestion}?` : ''}`);
    }
    const positional = /Unexpected argument '([^']*)'/.exec(message)?.[1];
    if (positional !== undefined) throw usage(`unexpected argument "${positional}" (quote a prompt with spaces: --prompt "a red circle")`);
    throw usage(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

function number(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw usage(`${flag} must be a number, got "${raw}"`);
  return value;
}

function optionalInteger(raw: string | undefined, flag: string, ok: (n: number) => boolean, expected: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || !ok(value)) throw usage(`${flag} must be ${expected}, got "${raw}"`);
  return value;
}

function defaults(): Omit<GenerateArgs, 'help' | 'version'> {
  return {
    model: '',
    prompt: '',
    negativePrompt: undefined,
    guidanceScale: 5,
    steps: 50,
    seed: undefined,
    width: undefined,
    height: undefined,
    numImages: 1,
    out: 'generated',
    backend: 'auto',
    threads: undefined,
    variant: undefined,
    revision: undefined,
  };
}

function usage(message: string): SdxlError {
  return new SdxlError(ErrorCode.CLI_USAGE, message);
}
