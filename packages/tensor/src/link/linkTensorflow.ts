import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { buildBinding } from './buildBinding.js';
import { checkToolchain } from './checkToolchain.js';
import { detectCudaBuild } from './detectCudaBuild.js';
import { inspectTensorflow } from './inspectTensorflow.js';
import { TFJS_NODE_PACKAGES, TFJS_NODE_VERSION, type LinkedBuild, type LinkedBuildManifest, type TensorflowDevice } from './LinkedBuild.js';
import { buildKey, buildProblem, MANIFEST_FILE, readLinkedBuild } from './linkedBuilds.js';
import { linkedBuildsDir } from './linkedBuildsDir.js';
import { packTarball, unpackTarball } from './packTarball.js';
import { stageTensorflow } from './stageTensorflow.js';
import { verifyBuild } from './verifyBuild.js';
import { writeShims } from './writeShims.js';

/** Options of {@link linkTensorflow}. */
export interface LinkTensorflowOptions {
  /**
   * A Python environment with TensorFlow installed, a libtensorflow folder (include/ + lib/) or a TensorFlow
   * wheel (.whl). Without it, libtensorflow is downloaded as tfjs-node's install step does (needs internet).
   */
  readonly from?: string | undefined;
  /** Build @tensorflow/tfjs-node-gpu against a CUDA TensorFlow (default false: @tensorflow/tfjs-node). */
  readonly gpu?: boolean | undefined;
  /** Where builds live (default {@link linkedBuildsDir}). */
  readonly cacheDir?: string | undefined;
  /** Rebuild even when the same TensorFlow is already linked. */
  readonly force?: boolean | undefined;
  /** Progress lines (what is done, node-gyp's output). */
  readonly onLog?: ((line: string) => void) | undefined;
}

/** What {@link linkTensorflow} did. */
export interface LinkResult {
  readonly build: LinkedBuild;
  /** True when an existing build was reused (nothing was built). */
  readonly cached: boolean;
  readonly seconds: number;
}

// tfjs-node's run-time dependencies besides tfjs (its install-time ones never load); exact versions in its ranges.
const RUNTIME_PACKAGES: ReadonlyArray<readonly [string, string]> = [
  ['google-protobuf', '3.21.4'],
  ['progress', '2.0.3'],
];

/**
 * Builds @tensorflow/tfjs-node(-gpu) 4.22.0's N-API binding against a local TensorFlow and installs it in a
 * per-user cache folder keyed by TensorFlow version, device and Node ABI, where `initBackend` finds it.
 * The project's package.json and lockfile are not touched. A second link of the same TensorFlow is instant.
 */
export async function linkTensorflow(options: LinkTensorflowOptions = {}): Promise<LinkResult> {
  const started = performance.now();
  const device: TensorflowDevice = options.gpu ? 'gpu' : 'cpu';
  const cacheDir = path.resolve(options.cacheDir ?? linkedBuildsDir());
  const log = options.onLog ?? ((): void => undefined);
  const toolchain = checkToolchain();
  const source = options.from === undefined ? undefined : await inspectTensorflow(options.from, toolchain.python);
  const seconds = (): number => Math.round((performance.now() - started) / 100) / 10;
  const reusable = (version: string | undefined, kind: string, from: string): LinkedBuild | undefined => {
    if (version === undefined || options.force) return undefined;
    const build = readLinkedBuild(path.join(cacheDir, buildKey(version, device)));
    return build !== undefined && buildProblem(build) === undefined && build.source.kind === kind && build.source.path === from ? build : undefined;
  };
  if (source !== undefined) {
    const cached = reusable(source.version, source.kind, source.path);
    if (cached !== undefined) return { build: cached, cached: true, seconds: seconds() };
    if (device === 'gpu' && source.kind === 'wheel' && /tensorflow[-_]cpu/i.test(path.basename(source.path))) throw cpuOnly(source.path);
    // why: a folder's libraries are at hand, so a CPU-only TensorFlow is refused before anything is fetched.
    if (device === 'gpu' && source.libDir !== undefined && !(await detectCudaBuild([source.cApiLib, source.frameworkLib].map((f) => path.join(source.libDir as string, f))))) {
      throw cpuOnly(source.path);
    }
  }

  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(path.join(cacheDir, `.building-${device}-`));
  chmodSync(tmp, 0o755);
  try {
    const nodeModules = path.join(tmp, 'node_modules');
    const name = TFJS_NODE_PACKAGES[device];
    const packageDir = path.join(nodeModules, ...name.split('/'));
    const tarballs = path.join(cacheDir, 'tarballs');
    await unpackTarball(await packTarball(name, TFJS_NODE_VERSION, tarballs, toolchain.npm, log), packageDir, toolchain.tar);
    for (const [dep, version] of RUNTIME_PACKAGES) {
      await unpackTarball(await packTarball(dep, version, tarballs, toolchain.npm, log), path.join(nodeModules, dep), toolchain.tar);
    }
    const { tf, origin } = await stageTensorflow({ source, device, packageDir, workDir: tmp, downloadsDir: path.join(cacheDir, 'downloads'), toolchain, log });
    if (origin.kind === 'download') {
      const cached = reusable(tf.version, origin.kind, origin.path);
      if (cached !== undefined) return { build: cached, cached: true, seconds: seconds() };
    }
    const libDir = tf.libDir as string;
    const libFiles = [tf.cApiLib, tf.frameworkLib];
    const cudaBuild = await detectCudaBuild(libFiles.map((f) => path.join(libDir, f)));
    if (device === 'gpu' && !cudaBuild) throw cpuOnly(origin.path);

    log(`building the ${name} binding against TensorFlow ${tf.version ?? '(version from the library)'} from ${origin.path}`);
    const napiVersion = await buildBinding({ packageDir, includeDir: tf.includeDir as string, libDir, cApiLib: tf.cApiLib, frameworkLib: tf.frameworkLib, toolchain, onLog: log });
    rmSync(path.join(tmp, 'wheel'), { recursive: true, force: true });
    writeShims(nodeModules, napiVersion);
    const check = await verifyBuild(tmp, name);
    log(`loaded: TensorFlow ${check.version}, ${check.gpu ? 'a GPU' : 'the CPU'}`);
    if (device === 'gpu' && !check.gpu) log('note: libtensorflow sees no GPU here (driver or CUDA libraries not visible); it will run on the CPU until it does');
    const relative = path.relative(tmp, libDir);
    const manifest: LinkedBuildManifest = {
      packageName: name,
      packageVersion: TFJS_NODE_VERSION,
      tensorflowVersion: check.version,
      device,
      cudaBuild,
      nodeAbi: process.versions.modules,
      napiVersion,
      source: origin,
      libDir: relative.startsWith('..') ? libDir : relative,
      libFiles,
      builtAt: new Date().toISOString(),
      buildSeconds: seconds(),
    };
    writeFileSync(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const final = path.join(cacheDir, buildKey(check.version, device));
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    return { build: readLinkedBuild(final) as LinkedBuild, cached: false, seconds: seconds() };
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}

function cpuOnly(from: string): SdxlError {
  return new SdxlError(
    ErrorCode.BACKEND_LINK_SOURCE_INVALID,
    `${from} is a CPU-only TensorFlow (its libraries never load the CUDA runtime, libcudart), but the GPU was asked for. ` +
      'Install a CUDA build in a Python environment (`pip install "tensorflow[and-cuda]"`) and link --from that environment with --gpu, or link without --gpu.',
    { details: { from } },
  );
}
