/** The options `sdxl-train` understands, with their help text. */
export const CLI_OPTIONS = {
  config: { type: 'string', short: 'c', value: '<file>', help: 'the run config to train: sdxl.config.ts, .mts, .mjs, .js or .json' },
  'log-interval': { type: 'string', value: '<seconds>', help: 'seconds between progress lines when the output is not a terminal (default 10)' },
  verbose: { type: 'boolean', short: 'v', help: 'also print debug lines (one per logged step)' },
  quiet: { type: 'boolean', short: 'q', help: 'print only warnings and errors (no progress)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', help: 'print the version' },
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
    '  sdxl-train --config <file> [options]',
    '  sdxl-train backend link tensorflow [--from <python env | libtensorflow folder | wheel>] [--gpu] [--force]',
    '  sdxl-train backend info',
    '',
    'Options:',
    ...rows,
    '',
    'Commands:',
    '  backend link tensorflow       build tfjs-node\'s binding against a local TensorFlow; backend auto then uses it',
    '  backend info                  which backend auto chooses here and why (sdxl-train backend --help for more)',
    '',
    'Ctrl-C stops after the current step and still saves the model; press it again to abort at once.',
    'Exit codes: 0 done, 1 the run failed, 2 bad command line or config, 130 stopped by Ctrl-C.',
  ].join('\n');
}
