import { parseArgs } from 'node:util';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { initBackend, isBackendName, linkedBuildsDir, linkTensorflow, listLinkedBuilds } from '@sdxl-trainer/tensor';
import { formatError } from './formatError.js';

/** Where `sdxl-train backend` writes: results to `stdout`, progress and errors to `stderr`. */
export interface BackendIo {
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
}

/** The help of `sdxl-train backend`. */
export const BACKEND_USAGE = [
  'Usage:',
  '  sdxl-train backend link tensorflow [--from <python env | libtensorflow folder | wheel>] [--gpu] [--force]',
  '  sdxl-train backend info [--backend <name>] [--threads <n>]',
  '',
  'link tensorflow   build @tensorflow/tfjs-node(-gpu) 4.22.0\'s binding against a local TensorFlow (2.9 or newer)',
  '                  and keep it in a per-user cache where backend `auto` finds it; package.json is not touched.',
  '  --from <path>   a Python environment with TensorFlow installed (pip install tensorflow-cpu, or',
  '                  "tensorflow[and-cuda]" for --gpu), a libtensorflow folder (include/ + lib/) or a TensorFlow wheel.',
  '                  Without it, libtensorflow 2.9.1 is downloaded as tfjs-node itself does (needs internet).',
  '  --gpu           build @tensorflow/tfjs-node-gpu against a CUDA TensorFlow',
  '  --force         rebuild even when this TensorFlow is already linked',
  '  --cache-dir <d> where builds live (default $XDG_CACHE_HOME/sdxl-trainer/tfjs-node or ~/.cache/sdxl-trainer/tfjs-node)',
  '  --verbose, -v   show node-gyp\'s output',
  'info              which backend `auto` (or --backend) chooses here and why; TensorFlow version, device, threads;',
  '                  the linked builds.',
  '',
  'Needs g++, make, python3, tar, npm (with its node-gyp) and Node\'s headers; a build takes about a minute.',
].join('\n');

const OPTIONS = {
  from: { type: 'string' },
  gpu: { type: 'boolean' },
  force: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

// The lines of node-gyp and make that only --verbose shows.
const BUILD_NOISE = /^(gyp (info|http)|make(\[\d+\])?: |\s+(CXX|CC|SOLINK_MODULE|COPY|TOUCH|LINK)\b)/;

/** Runs `sdxl-train backend <args>`; resolves with the exit code (0 done, 1 failed, 2 bad command line). */
export async function backendCommand(argv: readonly string[], io: BackendIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`sdxl-train backend: ${error instanceof Error ? error.message : String(error)}\n${BACKEND_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr).write(`${BACKEND_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [command, target, ...rest] = positionals;
  try {
    if (command === 'link' && target === 'tensorflow' && rest.length === 0) return await link(values, io);
    if (command === 'info' && target === undefined) return await info(values, io);
  } catch (error) {
    io.stderr.write(`${formatError(error)}\n`);
    return error instanceof SdxlError && error.code === ErrorCode.CONFIG_INVALID ? 2 : 1;
  }
  const what = command === 'link' ? `link what? got "${[target, ...rest].filter(Boolean).join(' ')}"; only \`link tensorflow\` exists` : `unknown command "${positionals.join(' ')}"`;
  io.stderr.write(`sdxl-train backend: ${what}\n${BACKEND_USAGE}\n`);
  return 2;
}

type Values = ReturnType<typeof parse>['values'];

async function link(values: Values, io: BackendIo): Promise<number> {
  const result = await linkTensorflow({
    from: values.from,
    gpu: values.gpu,
    force: values.force,
    cacheDir: values['cache-dir'],
    onLog: (line) => {
      if (values.verbose || !BUILD_NOISE.test(line)) io.stderr.write(`  ${line}\n`);
    },
  });
  const b = result.build;
  const device = b.device === 'gpu' ? 'GPU' : 'CPU';
  if (result.cached) {
    io.stdout.write(`already linked: TensorFlow ${b.tensorflowVersion} (${device}) from ${b.source.kind} ${b.source.path}\n  ${b.dir}\n(--force rebuilds)\n`);
  } else {
    io.stdout.write(
      `linked ${b.packageName} ${b.packageVersion} to TensorFlow ${b.tensorflowVersion} (${device}${b.cudaBuild ? ', CUDA build' : ''}) ` +
        `for Node ABI ${b.nodeAbi} in ${result.seconds.toFixed(1)} s\n  ${b.dir}\n  from ${b.source.kind} ${b.source.path}\n`,
    );
  }
  io.stdout.write(`backend auto now uses it; \`sdxl-train backend info\` shows the choice.\n`);
  return 0;
}

async function info(values: Values, io: BackendIo): Promise<number> {
  const backend = values.backend ?? 'auto';
  if (!isBackendName(backend)) {
    throw new SdxlError(ErrorCode.CONFIG_INVALID, `--backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu; got "${backend}"`);
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
    throw new SdxlError(ErrorCode.CONFIG_INVALID, `--threads must be a positive integer, got "${values.threads}"`);
  }
  const dir = values['cache-dir'] ?? linkedBuildsDir();
  const report = await initBackend({ backend, threads, linkedBuilds: dir });
  const lines = [`backend: ${report.backend} (${report.detail})${backend === 'auto' ? '' : ' as requested'}`];
  for (const t of report.tried) lines.push(`  passed over ${t.backend}: ${t.reason}`);
  const tf = report.tensorflow;
  if (tf !== undefined) {
    lines.push(`TensorFlow: ${tf.version ?? 'version unknown'} on ${tf.device}; ${tf.intraOpThreads} intra-op and ${tf.interOpThreads} inter-op threads; oneDNN ${tf.oneDnn ? 'on' : 'off'}`);
    lines.push(`  binding: ${tf.linkedBuild === undefined ? `${tf.package} from node_modules` : `${tf.package}, linked build ${tf.linkedBuild}`}`);
  } else {
    lines.push(`threads: ${report.threads}`);
  }
  if (report.kernels.length > 0) lines.push(`replaced kernels: ${report.kernels.join(', ')}`);
  const builds = listLinkedBuilds(dir);
  lines.push(builds.length === 0 ? `linked builds: none in ${dir} (sdxl-train backend link tensorflow --from …)` : `linked builds in ${dir}:`);
  for (const { build, problem } of builds) {
    lines.push(`  ${build.dir.slice(dir.length + 1)}: TensorFlow ${build.tensorflowVersion} ${build.device}, from ${build.source.kind} ${build.source.path}${problem === undefined ? '' : ` — unusable: ${problem}`}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new SdxlError(ErrorCode.CLI_USAGE, (error instanceof Error ? error.message : String(error)).replace(/\. To specify a positional argument.*$/s, ''));
  }
}
