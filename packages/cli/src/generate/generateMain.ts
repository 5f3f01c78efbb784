import { readFileSync } from 'node:fs';
import { ErrorCode, isSdxlError } from '@sdxl-trainer/errors';
import { StableDiffusionXLPipeline, writePngs } from '@sdxl-trainer/pipeline';
import { initBackend } from '@sdxl-trainer/tensor';
import { formatError } from '../formatError.js';
import { generateUsage } from './generateUsage.js';
import { parseGenerateArgs, type GenerateArgs } from './parseGenerateArgs.js';

/** What `sdxl-generate` talks to; the defaults are the process's own streams and Ctrl-C. */
export interface GenerateIo {
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
  /** Subscribe to Ctrl-C; returns an unsubscribe function. */
  onInterrupt(handler: () => void): () => void;
}

/** Run `sdxl-generate` with these arguments; resolves with the exit code (0 done, 1 failed, 2 usage, 130 Ctrl-C). */
export async function generateMain(argv: readonly string[], io: GenerateIo = processIo()): Promise<number> {
  const version = readVersion();
  let args: GenerateArgs;
  try {
    args = parseGenerateArgs(argv);
  } catch (error) {
    io.stderr.write(`sdxl-generate: ${error instanceof Error ? error.message : String(error)}\nRun sdxl-generate --help for the options.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${generateUsage(version)}\n`);
    return 0;
  }
  if (args.version) {
    io.stdout.write(`${version}\n`);
    return 0;
  }

  const abort = new AbortController();
  const unsubscribe = io.onInterrupt(() => {
    io.stderr.write('sdxl-generate: Ctrl-C, stopping after the current step\n');
    abort.abort(new Error('interrupted (Ctrl-C)'));
  });
  let pipeline: StableDiffusionXLPipeline | undefined;
  try {
    const backend = await initBackend({ backend: args.backend, threads: args.threads });
    io.stdout.write(`${backend.summary}\n`);
    const loadStart = performance.now();
    pipeline = await StableDiffusionXLPipeline.fromPretrained(args.model, {
      variant: args.variant,
      revision: args.revision,
      onDownloadProgress: ({ path, total, done }) => {
        if (done) io.stdout.write(`downloaded ${path} (${(total / 2 ** 20).toFixed(1)} MiB)\n`);
      },
    });
    const source = pipeline.source!;
    const from = source.repoId === undefined ? source.path : `${source.repoId}@${source.commit?.slice(0, 10)} (${source.path})`;
    io.stdout.write(`loaded ${from} in ${seconds(loadStart)} s\n`);
    for (const name of source.variantFallbacks) io.stdout.write(`note: ${name} has no "${args.variant}" weights; using its plain weights\n`);

    const runStart = performance.now();
    let stepStart = runStart;
    const output = await pipeline.call({
      prompt: args.prompt,
      negativePrompt: args.negativePrompt,
      guidanceScale: args.guidanceScale,
      numInferenceSteps: args.steps,
      seed: args.seed,
      width: args.width,
      height: args.height,
      numImagesPerPrompt: args.numImages,
      signal: abort.signal,
      onStep: ({ step, numSteps, timestep }) => {
        io.stdout.write(`step ${step + 1}/${numSteps} (t=${timestep}) ${seconds(stepStart)} s\n`);
        stepStart = performance.now();
      },
    });
    for (const warning of output.warnings) io.stderr.write(`warning: ${warning}\n`);
    const seeds = output.seeds!;
    const paths = await writePngs(output.images, args.out, { names: (i) => `${i}-${seeds[i]}.png` });
    io.stdout.write(`generated ${paths.length} image${paths.length === 1 ? '' : 's'} of ${output.width}×${output.height} in ${seconds(runStart)} s (seed ${seeds[0]})\n`);
    for (const path of paths) io.stdout.write(`wrote ${path}\n`);
    return 0;
  } catch (error) {
    if (abort.signal.aborted) {
      io.stderr.write('sdxl-generate: stopped by Ctrl-C; no images written\n');
      return 130;
    }
    io.stderr.write(`${formatError(error)}\n`);
    return isSdxlError(error) && error.code === ErrorCode.PIPELINE_INPUT_INVALID ? 2 : 1;
  } finally {
    pipeline?.dispose();
    unsubscribe();
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function processIo(): GenerateIo {
  return {
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
  };
}

function readVersion(): string {
  // why: the same relative path from src/generate/ (tests) and dist/generate/ (the bin).
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
