import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { OPTIONAL_PACKAGES } from '../BackendName.js';
import { importOptionalPackage } from '../importOptionalPackage.js';
import type { TensorflowDevice } from './LinkedBuild.js';
import { findLinkedBuild, listLinkedBuilds } from './linkedBuilds.js';
import { linkedBuildsDir } from './linkedBuildsDir.js';
import { loadLinkedBuild } from './loadLinkedBuild.js';

/** What libtensorflow runs as, for the backend report. */
export interface TensorflowInfo {
  /** `TF_Version()` of the loaded libtensorflow (undefined if the binding does not say). */
  readonly version: string | undefined;
  /** The device libtensorflow placed ops on. */
  readonly device: 'CPU' | 'GPU';
  /** Threads one op may use (TF_NUM_INTRAOP_THREADS). */
  readonly intraOpThreads: number;
  /** Threads for running independent ops (TF_NUM_INTEROP_THREADS). */
  readonly interOpThreads: number;
  /** oneDNN (MKL) CPU kernels on: TensorFlow's default on x86 Linux; TF_ENABLE_ONEDNN_OPTS=0 turns them off. */
  readonly oneDnn: boolean;
  /** The npm package whose binding runs. */
  readonly package: string;
  /** The linked build folder, or undefined for an npm-installed package. */
  readonly linkedBuild: string | undefined;
}

/** Where {@link startTensorflow} may look and with how many threads. */
export interface StartTensorflowOptions {
  readonly resolveFrom: readonly (string | URL)[];
  /** Folder of linked builds, or false to ignore them. */
  readonly linkedBuilds: string | false | undefined;
  readonly threads: number;
  /** `threads` was given by the caller (it then wins over TF_NUM_INTRAOP_THREADS). */
  readonly threadsExplicit: boolean;
}

/** The outcome of {@link startTensorflow}, in initBackend's attempt shape. */
export type TensorflowAttempt =
  | { readonly ok: true; readonly threads: number; readonly detail: string; readonly info: TensorflowInfo }
  | { readonly ok: false; readonly missing: boolean; readonly reason: string; readonly error?: unknown };

interface Loaded {
  readonly device: TensorflowDevice;
  readonly package: string;
  readonly linkedBuild: string | undefined;
}

// why: libtensorflow reads its thread counts once, when it starts, and cannot be unloaded or swapped.
let threadsAtStart: { intra: number; inter: number } | undefined;
let native: Loaded | undefined;

/**
 * Makes tfjs backend `tensorflow` active for `tensorflow` or `tensorflow-gpu`: from a linked build in the
 * cache (`sdxl-train backend link`), else from the npm package, with the intra/inter-op thread counts set
 * (TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS, read by libtensorflow when it starts).
 */
export async function startTensorflow(name: 'tensorflow' | 'tensorflow-gpu', options: StartTensorflowOptions): Promise<TensorflowAttempt> {
  const device: TensorflowDevice = name === 'tensorflow-gpu' ? 'gpu' : 'cpu';
  const pkg = OPTIONAL_PACKAGES[name];
  if (native !== undefined && native.device !== device) {
    return { ok: false, missing: false, reason: `${native.package} is already loaded in this process and libtensorflow cannot be swapped for ${pkg}` };
  }
  const dir = options.linkedBuilds === false ? undefined : (options.linkedBuilds ?? linkedBuildsDir());
  const build = dir === undefined ? undefined : findLinkedBuild(device, dir);
  if (build !== undefined) {
    try {
      await withThreadEnv(options, () => loadLinkedBuild(build));
    } catch (error) {
      return { ok: false, missing: false, reason: `the linked build in ${build.dir} failed to load: ${firstLine(error)}`, error };
    }
    if (tf.findBackendFactory('tensorflow') === null) return { ok: false, missing: false, reason: `the linked build in ${build.dir} registered no 'tensorflow' backend` };
    return activate({ device, package: pkg, linkedBuild: build.dir });
  }
  const imported = await withThreadEnv(options, () => importOptionalPackage(pkg, options.resolveFrom));
  if (imported.status === 'broken') return { ok: false, missing: false, reason: imported.reason, error: imported.error };
  if (imported.status === 'missing') {
    const unusable = dir === undefined ? [] : listLinkedBuilds(dir).filter((f) => f.build.device === device && f.problem !== undefined);
    const linked = dir === undefined ? [] : [`no ${unusable.length > 0 ? 'usable ' : ''}linked build in ${dir}${unusable.map((f) => ` (${f.build.dir}: ${f.problem})`).join('')}`];
    return { ok: false, missing: true, reason: [imported.reason, ...linked].join(', ') };
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return { ok: false, missing: false, reason: `${pkg} loaded but registered no 'tensorflow' backend on this tfjs engine (all @tensorflow packages must be exactly ${tf.version_core})` };
  }
  return activate({ device, package: pkg, linkedBuild: undefined });
}

async function activate(state: Loaded): Promise<TensorflowAttempt> {
  let ok = false;
  try {
    ok = await tf.setBackend('tensorflow');
  } catch {
    ok = false;
  }
  if (!ok) return { ok: false, missing: false, reason: `${state.package} loaded but tf.setBackend('tensorflow') failed` };
  const backend = tf.backend() as { binding?: { TF_Version?: string }; isUsingGpuDevice?: boolean };
  // why: only a real binding means a libtensorflow now lives in this process (test stand-ins have none).
  if (backend.binding?.TF_Version !== undefined) native ??= state;
  const threads = threadsAtStart ?? { intra: 0, inter: 0 };
  const info: TensorflowInfo = {
    version: backend.binding?.TF_Version,
    device: backend.isUsingGpuDevice === true ? 'GPU' : 'CPU',
    intraOpThreads: threads.intra,
    interOpThreads: threads.inter,
    oneDnn: process.env['TF_ENABLE_ONEDNN_OPTS'] !== '0' && (process.arch === 'x64' || process.arch === 'arm64'),
    package: state.package,
    linkedBuild: state.linkedBuild,
  };
  const where = info.linkedBuild === undefined ? `via ${info.package}` : `linked build ${info.linkedBuild}`;
  const detail = `TensorFlow ${info.version ?? '(version unknown)'} on ${info.device}, ${info.intraOpThreads} intra-op + ${info.interOpThreads} inter-op threads, ${where}`;
  return { ok: true, threads: info.intraOpThreads, detail, info };
}

/**
 * Runs `load` with TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS set, until a load starts libtensorflow:
 * it reads them once, and the counts of that first start are what runs. Unset again if nothing started.
 */
async function withThreadEnv<T>(options: StartTensorflowOptions, load: () => T | Promise<T>): Promise<T> {
  if (threadsAtStart !== undefined) return load();
  const env = process.env;
  const before = { intra: env['TF_NUM_INTRAOP_THREADS'], inter: env['TF_NUM_INTEROP_THREADS'] };
  const intra = options.threadsExplicit ? options.threads : (positive(before.intra) ?? options.threads);
  // why: TensorFlow's own default for inter-op threads is the core count; set explicitly so the report is exact.
  const inter = positive(before.inter) ?? cores();
  env['TF_NUM_INTRAOP_THREADS'] = String(intra);
  env['TF_NUM_INTEROP_THREADS'] = String(inter);
  // why: libtensorflow logs INFO lines (CPU feature notes, device creation) straight to stderr, and a
  // library must not print; 1 keeps its warnings and errors. Only the two lines it writes before its
  // logging starts (oneDNN on) remain, which TF_ENABLE_ONEDNN_OPTS=0 also silences.
  const quiet = env['TF_CPP_MIN_LOG_LEVEL'] === undefined;
  if (quiet) env['TF_CPP_MIN_LOG_LEVEL'] = '1';
  try {
    return await load();
  } finally {
    if (tf.findBackendFactory('tensorflow') !== null) {
      threadsAtStart = { intra, inter };
    } else {
      restore('TF_NUM_INTRAOP_THREADS', before.intra);
      restore('TF_NUM_INTEROP_THREADS', before.inter);
      if (quiet) restore('TF_CPP_MIN_LOG_LEVEL', undefined);
    }
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
