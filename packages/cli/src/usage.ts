/** The options `sdxl-train` understands, with their help text. */
export const CLI_OPTIONS = {
  config: { type: 'string', short: 'c', value: '<file>', help: 'the run config to train: sdxl.config.ts, .mts, .mjs, .js or .json' },
  backend: { type: 'string', value: '<name>', help: 'auto, tensorflow-gpu, tensorflow, wasm or cpu (default auto; overrides the config)' },
  threads: { type: 'string', value: '<n>', help: 'compute threads: wasm pool or TensorFlow intra-op (default: the cores)' },
  'log-interval': { type: 'string', value: '<seconds>', help: 'seconds between progress lines when the output is not a terminal (default 10)' },
  verbose: { type: 'boolean', short: 'v', help: 'also print debug lines (one per logged step)' },
  quiet: { type: 'boolean', short: 'q', help: 'print only warnings and errors (no progress)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', help: 'print the version' },
  'help-flags': { type: 'boolean', help: "list every flag of train_text_to_image_sdxl.py, its default and where it goes" },
} as const;

/** The help text. */
export function usage(version: string): string {
  const rows = Object.entries(CLI_OPTIONS).map(([name, option]) => {
    const short = 'short' in option ? `-${option.short}, ` : '    ';
    const left = `${short}--${name}${'value' in option ? ` ${option.value}` : ''}`;
    return `  ${left.padEnd(30)}${option.help}`;
  });
  return [
    `sdxl-train ${version} — fine-tune Stable Diffusion XL with sdxl-trainer`,
    '',
    'Usage:',
    '  sdxl-train --config <file> [options] [script flags]',
    '  sdxl-train --pretrained_model_name_or_path <id|dir> --dataset_name <id> | --train_data_dir <dir> [script flags]',
    '  sdxl-train backend link tensorflow [--from <python env | libtensorflow folder | wheel>] [--gpu] [--force]',
    '  sdxl-train backend info',
    '  sdxl-train wandb-sync <run folder | wandb folder | output folder>',
    '',
    'Options:',
    ...rows,
    '',
    'Script flags: every flag of diffusers\' train_text_to_image_sdxl.py, with its defaults (sdxl-train --help-flags lists',
    'them); with --config they override the file.',
    '',
    'Commands:',
    '  backend link tensorflow       build tfjs-node\'s binding against a local TensorFlow; backend auto then uses it',
    '  backend info                  which backend auto chooses here and why (sdxl-train backend --help for more)',
    '  wandb-sync <dir>              upload offline or unsent W&B runs (WANDB_API_KEY, WANDB_BASE_URL)',
    '',
    'Ctrl-C stops after the current step and still saves the model; press it again to abort at once.',
    'Exit codes: 0 done, 1 the run failed, 2 bad command line or config, 130 stopped by Ctrl-C.',
  ].join('\n');
}

/** The script flags, grouped as the script lists them, with defaults and what each does here. */
export function flagsUsage(flags: Readonly<Record<string, { kind: string; default?: unknown; choices?: readonly string[]; target: string; help: string }>>): string {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const value = flag.kind === 'bool' ? '' : flag.choices ? ` {${flag.choices.join(',')}}` : ` <${flag.kind}>`;
    const left = `--${name}${value}`;
    const fallback = flag.default === undefined ? '' : ` (default ${JSON.stringify(flag.default)})`;
    const where = flag.target === 'note' ? ' [accepted; says at start-up what it does here]' : '';
    return `  ${left}\n      ${flag.help}${fallback}${where}`;
  });
  return ['Flags of train_text_to_image_sdxl.py (same meaning and defaults):', ...rows].join('\n');
}
