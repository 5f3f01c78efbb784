import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { TensorflowDevice } from './LinkedBuild.js';
import { runCommand } from './runCommand.js';

/** The constants tfjs-node's install step reads from its `scripts/deps-constants.js`. */
interface DepsConstants {
  readonly LIBTENSORFLOW_VERSION: string;
  readonly PLATFORM_MAPPING: Record<string, string>;
  readonly ARCH_MAPPING: Record<string, string>;
  readonly PLATFORM_EXTENSION: string;
  readonly customTFLibUri?: string;
}

/** Where tfjs-node's own install step would download libtensorflow from, and which version. */
export function libtensorflowUrl(packageDir: string, device: TensorflowDevice, env: NodeJS.ProcessEnv = process.env): { url: string; version: string } {
  const constants = createRequire(path.join(packageDir, 'scripts', 'noop.js'))('./deps-constants.js') as DepsConstants;
  // why: the same host and URI overrides, in the same order, as tfjs-node's scripts/install.js.
  const host = env['TFJS_NODE_CDN_STORAGE'] || env['npm_config_TFJS_NODE_CDN_STORAGE'] || env['CDN_STORAGE'] || 'https://storage.googleapis.com/';
  const base = env['TFJS_NODE_BASE_URI'] || env['npm_config_TFJS_NODE_BASE_URI'] || `${host}tensorflow/libtensorflow/libtensorflow-`;
  const platform = constants.PLATFORM_MAPPING[process.platform];
  const arch = constants.ARCH_MAPPING[process.arch];
  const version = constants.LIBTENSORFLOW_VERSION;
  if (constants.customTFLibUri !== undefined) return { url: constants.customTFLibUri, version };
  if (platform === undefined || arch === undefined) {
    throw new SdxlError(ErrorCode.BACKEND_LINK_SOURCE_INVALID, `tfjs-node publishes no libtensorflow for ${process.platform}-${process.arch}; link a local TensorFlow with --from`);
  }
  return { url: `${base}${device}-${platform}-${arch}-${version}.${constants.PLATFORM_EXTENSION}`, version };
}

/**
 * The official route, as tfjs-node's install step takes it: downloads libtensorflow (2.9.1 for tfjs-node
 * 4.22; the GPU build wants CUDA 11.2 and cuDNN 8.1) into `downloadsDir` (kept for the next link) and
 * unpacks its include/ and lib/ into `dest`. Throws SdxlError(BACKEND_LINK_DOWNLOAD_FAILED) that
 * suggests `--from` when there is no internet.
 */
export async function downloadLibtensorflow(options: {
  readonly packageDir: string;
  readonly device: TensorflowDevice;
  readonly downloadsDir: string;
  readonly dest: string;
  readonly tar: string;
  readonly onLog?: ((line: string) => void) | undefined;
}): Promise<{ version: string; url: string }> {
  const { url, version } = libtensorflowUrl(options.packageDir, options.device);
  const file = path.join(options.downloadsDir, path.basename(new URL(url).pathname));
  if (!existsSync(file)) {
    mkdirSync(options.downloadsDir, { recursive: true });
    options.onLog?.(`downloading ${url}`);
    try {
      const response = await fetch(url);
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      await pipeline(Readable.fromWeb(response.body as ReadableStream<Uint8Array>), createWriteStream(`${file}.part`));
      renameSync(`${file}.part`, file);
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new SdxlError(
        ErrorCode.BACKEND_LINK_DOWNLOAD_FAILED,
        `could not download libtensorflow ${version} (${options.device}) from ${url}: ${cause}. This machine seems to have no internet ` +
          'access (tfjs-node cannot install offline either). Link a local TensorFlow instead: ' +
          '`sdxl-train backend link tensorflow --from <python env | libtensorflow folder | wheel>`, e.g. a venv where ' +
          '`pip install tensorflow-cpu` ran (or `tensorflow[and-cuda]` with --gpu), or a tensorflow_cpu-*.whl file.',
        { details: { url, version }, cause: error },
      );
    }
  }
  mkdirSync(options.dest, { recursive: true });
  const result = await runCommand(options.tar, ['-xzf', file, '-C', options.dest]);
  if (result.code !== 0) {
    throw new SdxlError(ErrorCode.BACKEND_LINK_DOWNLOAD_FAILED, `${file} is not a readable libtensorflow archive (${result.tail.trim()}); delete it and link again`, {
      details: { file },
    });
  }
  return { version, url };
}
