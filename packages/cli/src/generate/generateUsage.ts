/** The options `sdxl-generate` understands, with their help text. */
export const GENERATE_OPTIONS = {
  model: { type: 'string', short: 'm', value: '<folder|hub id>', help: 'a diffusers SDXL folder, or a Hub id such as stabilityai/stable-diffusion-xl-base-1.0 (downloaded into the HF cache; offline: read from it)' },
  prompt: { type: 'string', short: 'p', value: '<text>', help: 'what to draw' },
  'negative-prompt': { type: 'string', short: 'n', value: '<text>', help: 'what to steer away from (default: none, zeros as SDXL does)' },
  'guidance-scale': { type: 'string', value: '<number>', help: 'classifier-free guidance weight; 1 or less turns guidance off (default 5)' },
  steps: { type: 'string', value: '<count>', help: 'denoising steps (default 50)' },
  seed: { type: 'string', value: '<integer>', help: 'seed of the first image; image i uses seed + i (default: random, printed)' },
  width: { type: 'string', value: '<pixels>', help: "a multiple of 8 (default: the model's, 1024 for SDXL base)" },
  height: { type: 'string', value: '<pixels>', help: "a multiple of 8 (default: the model's)" },
  'num-images': { type: 'string', value: '<count>', help: 'images to make (default 1)' },
  out: { type: 'string', short: 'o', value: '<folder>', help: 'where to write <index>-<seed>.png (default ./generated)' },
  backend: { type: 'string', value: '<name>', help: 'auto, tensorflow-gpu, tensorflow, wasm or cpu (default auto: the first that works)' },
  threads: { type: 'string', value: '<count>', help: 'wasm threads (default: one per core; on a busy machine 1 can be faster)' },
  variant: { type: 'string', value: '<name>', help: 'weights variant, e.g. fp16 (read as float32); components without it use their plain weights' },
  revision: { type: 'string', value: '<ref>', help: 'Hub branch, tag or commit (default main)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', help: 'print the version' },
} as const;

/** The help text of `sdxl-generate`. */
export function generateUsage(version: string): string {
  const rows = Object.entries(GENERATE_OPTIONS).map(([name, option]) => {
    const short = 'short' in option ? `-${option.short}, ` : '    ';
    const left = `${short}--${name}${'value' in option ? ` ${option.value}` : ''}`;
    return `  ${left.padEnd(34)}${option.help}`;
  });
  return [
    `sdxl-generate ${version} — text to image with Stable Diffusion XL (diffusers' StableDiffusionXLPipeline, Euler sampler)`,
    '',
    'Usage:',
    '  sdxl-generate --model <folder|hub id> --prompt <text> [options]',
    '',
    'Options:',
    ...rows,
    '',
    'Example:',
    '  sdxl-generate --model stabilityai/stable-diffusion-xl-base-1.0 --variant fp16 --prompt "a lighthouse at dusk" --steps 30 --seed 42 --out shots',
    '',
    'Images are written as <out>/<index>-<seed>.png (an existing file of that name is replaced). The Hub honours',
    'HF_ENDPOINT, HF_TOKEN, HF_HOME / HF_HUB_CACHE and HF_HUB_OFFLINE=1.',
    'Exit codes: 0 done, 1 generation failed, 2 bad command line, 130 stopped by Ctrl-C.',
  ].join('\n');
}
