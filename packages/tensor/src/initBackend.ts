import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { AUTO_ORDER, OPTIONAL_PACKAGES, isBackendName, type BackendName, type ConcreteBackendName } from './BackendName.js';
import { installWasmBackend } from './installWasmBackend.js';
import { startTensorflow, type TensorflowInfo } from './link/startTensorflow.js';
import { registerCpuKernels } from './registerCpuKernels.js';
import { registerGradients } from './registerGradients.js';
import { registerTensorflowKernels } from './registerTensorflowKernels.js';
import { registerWasmKernels } from './registerWasmKernels.js';
import { replacedKernels } from './kernels/replaceKernel.js';

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Which backend to use (default `auto`: tensorflow-gpu, tensorflow, wasm, cpu — the first that works). */
  readonly backend?: BackendName | undefined;
  /** XNNPACK threads for wasm (default: the number of cores; at most 8). */
  readonly threads?: number | undefined;
  /**
   * Folders (or file URLs of folders) to resolve the optional packages @tensorflow/tfjs-node(-gpu) from,
   * in order (default: the current working directory, then this package's own location).
   */
  readonly resolveFrom?: string | URL | readonly (string | URL)[] | undefined;
  /**
   * Folder of tfjs-node builds made by `linkTensorflow` / `sdxl-train backend link` (default: the per-user
   * cache, `linkedBuildsDir()`), tried before the npm packages; false to ignore linked builds.
   */
  readonly linkedBuilds?: string | false | undefined;
  /** Folder for wasm's pthread worker script (default: the OS temp folder). */
  readonly workerDir?: string | undefined;
  /** Install this package's replacement kernels for the chosen backend (default true). */
  readonly replaceKernels?: boolean | undefined;
}

/** A backend that was tried and not chosen, and why. */
export interface BackendAttempt {
  readonly backend: ConcreteBackendName;
  readonly reason: string;
}

/** What {@link initBackend} chose and why. */
export interface BackendReport {
  /** The backend in use. */
  readonly backend: ConcreteBackendName;
  /** `tf.getBackend()` after the choice (`tensorflow` for both libtensorflow backends). */
  readonly tfjsBackend: string;
  /** Compute threads in use (wasm: XNNPACK pool size; cpu: 1; tensorflow: libtensorflow's intra-op threads). */
  readonly threads: number;
  /** The build or binding in use, e.g. `threaded-simd` or `@tensorflow/tfjs-node`. */
  readonly detail: string;
  /** Backends tried before the chosen one, with the reason each was passed over. */
  readonly tried: readonly BackendAttempt[];
  /** Kernels this package replaced on the chosen backend. */
  readonly kernels: readonly string[];
  /** One line: what was chosen and why, for logs and `sdxl-train backend info`. */
  readonly summary: string;
  /** For `tensorflow` and `tensorflow-gpu`: TensorFlow version, device, threads and which binding. */
  readonly tensorflow?: TensorflowInfo | undefined;
}

type Attempt =
  | { readonly ok: true; readonly threads: number; readonly detail: string; readonly info?: TensorflowInfo }
  | { readonly ok: false; readonly missing: boolean; readonly reason: string; readonly error?: unknown };

/**
 * Chooses the tfjs compute backend, makes it active, installs its replacement kernels, registers
 * tfjs-core's gradients ({@link registerGradients}) and reports the choice. Call it once at start-up,
 * before any tensor exists: switching backends disposes the old one.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const requested = options.backend ?? 'auto';
  if (!isBackendName(requested)) {
    throw new SdxlError(
      ErrorCode.CONFIG_INVALID,
      `initBackend: backend must be one of auto, ${AUTO_ORDER.join(', ')}; got ${JSON.stringify(requested)}`,
      { details: { field: 'backend', value: requested } },
    );
  }
  const threads = options.threads ?? cores();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new SdxlError(ErrorCode.CONFIG_INVALID, `initBackend: threads must be a positive integer, got ${threads}`, {
      details: { field: 'threads', value: threads },
    });
  }
  // why: tfjs writes banners and warnings straight to the console ("Hi, looks like you are running
  // TensorFlow.js in Node.js", "Platform node has already been set"); libraries must not, and PROD only
  // silences those messages (tfjs-core reads it nowhere else).
  tf.env().set('PROD', true);
  await registerGradients();
  const from = toList(options.resolveFrom);
  const candidates = requested === 'auto' ? AUTO_ORDER : [requested];
  const tried: BackendAttempt[] = [];
  for (const name of candidates) {
    const attempt = await tryBackend(name, threads, from, options);
    if (!attempt.ok) {
      if (requested !== 'auto') throw unavailable(name, attempt, from);
      tried.push({ backend: name, reason: attempt.reason });
      continue;
    }
    if (options.replaceKernels ?? true) {
      if (name === 'wasm') registerWasmKernels();
      if (name === 'cpu') registerCpuKernels();
      if (name === 'tensorflow' || name === 'tensorflow-gpu') registerTensorflowKernels();
    }
    const tfjsBackend = tf.getBackend();
    const head = `backend ${name} (${attempt.detail})${requested === 'auto' ? '' : ' as requested'}`;
    const why = tried.map((t) => `${t.backend}: ${t.reason}`).join('; ');
    return {
      backend: name,
      tfjsBackend,
      threads: attempt.threads,
      detail: attempt.detail,
      tried,
      kernels: replacedKernels(tfjsBackend),
      summary: why === '' ? head : `${head} — ${why}`,
      ...(attempt.info === undefined ? {} : { tensorflow: attempt.info }),
    };
  }
  // why: cpu ships with this package and always starts, so auto never gets here in practice.
  throw new SdxlError(ErrorCode.BACKEND_UNAVAILABLE, `no tfjs backend could start: ${tried.map((t) => `${t.backend}: ${t.reason}`).join('; ')}`);
}

async function tryBackend(name: ConcreteBackendName, threads: number, from: readonly (string | URL)[], options: InitBackendOptions): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return startTensorflow(name, { resolveFrom: from, linkedBuilds: options.linkedBuilds, threads, threadsExplicit: options.threads !== undefined });
    case 'wasm':
      try {
        const wasm = await installWasmBackend({ threads, workerDir: options.workerDir });
        const plural = wasm.threads === 1 ? 'thread' : 'threads';
        const note = wasm.threadNote === undefined ? '' : `; ${wasm.threadNote}`;
        return { ok: true, threads: wasm.threads, detail: `${wasm.build}, ${wasm.threads} ${plural}${note}` };
      } catch (error) {
        return { ok: false, missing: false, reason: `wasm did not start: ${error instanceof Error ? error.message : String(error)}`, error };
      }
    case 'cpu':
      return (await setBackend('cpu'))
        ? { ok: true, threads: 1, detail: 'pure JS, 1 thread' }
        : { ok: false, missing: false, reason: "tf.setBackend('cpu') failed" };
  }
}

async function setBackend(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** The error for an explicitly requested backend that cannot start, saying how to get it. */
function unavailable(name: ConcreteBackendName, attempt: Attempt & { ok: false }, from: readonly (string | URL)[]): SdxlError {
  const alternatives = "or choose backend 'wasm' (bundled) or 'cpu'";
  let how: string;
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const pkg = OPTIONAL_PACKAGES[name];
    how =
      `build its binding against a local TensorFlow with \`sdxl-train backend link tensorflow --from <python env | libtensorflow folder | wheel>` +
      `${name === 'tensorflow-gpu' ? ' --gpu' : ''}\`, or install it with \`npm install ${pkg}@${tf.version_core}\` (its install script downloads ` +
      `libtensorflow 2.9.1${name === 'tensorflow-gpu' ? ' for CUDA 11.2' : ''}, which needs internet); ${alternatives}`;
  } else if (name === 'wasm') {
    how = "@tensorflow/tfjs-backend-wasm is a dependency of @sdxl-trainer/tensor: reinstall it, or choose backend 'cpu'";
  } else {
    how = '@tensorflow/tfjs-backend-cpu is a dependency of @sdxl-trainer/tensor: reinstall it';
  }
  const where = from.map(String).join(', ');
  return new SdxlError(
    attempt.missing ? ErrorCode.BACKEND_UNAVAILABLE : ErrorCode.BACKEND_INIT_FAILED,
    `backend '${name}' is not available: ${attempt.reason}${attempt.missing ? ` (looked from ${where})` : ''}. To use it, ${how}.`,
    { details: { backend: name, reason: attempt.reason }, cause: attempt.error },
  );
}

function toList(from: InitBackendOptions['resolveFrom']): readonly (string | URL)[] {
  if (from === undefined) return [process.cwd(), new URL('.', import.meta.url)];
  return typeof from === 'string' || from instanceof URL ? [from] : from;
}

function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
