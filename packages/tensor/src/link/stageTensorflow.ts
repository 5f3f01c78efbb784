import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { Toolchain } from './checkToolchain.js';
import { downloadLibtensorflow } from './downloadLibtensorflow.js';
import { elfMachine } from './elfMachine.js';
import { inspectTensorflow, type TensorflowSource } from './inspectTensorflow.js';
import type { LinkedBuildManifest, TensorflowDevice } from './LinkedBuild.js';
import { extractWheel } from './wheel.js';

/** A TensorFlow ready to compile against: headers and libraries on disk, and where they came from. */
export interface StagedTensorflow {
  /** Folders filled in: `includeDir` and `libDir` are set. */
  readonly tf: TensorflowSource;
  readonly origin: LinkedBuildManifest['source'];
}

/**
 * Puts the TensorFlow to build against on disk: a folder source is used in place; a wheel's two libraries
 * go into the package's `deps/lib` and its headers into `workDir/wheel`; without a source, libtensorflow is
 * downloaded into the package's `deps/` as tfjs-node's install step would.
 */
export async function stageTensorflow(options: {
  readonly source: TensorflowSource | undefined;
  readonly device: TensorflowDevice;
  /** The unpacked tfjs-node package. */
  readonly packageDir: string;
  /** Scratch folder (the build folder being made). */
  readonly workDir: string;
  readonly downloadsDir: string;
  readonly toolchain: Toolchain;
  readonly log: (line: string) => void;
}): Promise<StagedTensorflow> {
  const { source, packageDir, toolchain } = options;
  if (source === undefined) {
    const deps = path.join(packageDir, 'deps');
    const downloaded = await downloadLibtensorflow({ packageDir, device: options.device, downloadsDir: options.downloadsDir, dest: deps, tar: toolchain.tar, onLog: options.log });
    return { tf: await inspectTensorflow(deps, toolchain.python), origin: { kind: 'download', path: downloaded.url } };
  }
  if (source.kind !== 'wheel') return { tf: source, origin: { kind: source.kind, path: source.path } };
  const unpacked = path.join(options.workDir, 'wheel');
  const depsLib = path.join(packageDir, 'deps', 'lib');
  options.log(`extracting the C API headers and libraries from ${source.path}`);
  await extractWheel(source.path, unpacked, ['tensorflow/include/', source.cApiLib, source.frameworkLib], toolchain.python);
  mkdirSync(depsLib, { recursive: true });
  for (const member of [source.cApiLib, source.frameworkLib]) renameSync(path.join(unpacked, member), path.join(depsLib, path.basename(member)));
  const arch = elfMachine(path.join(depsLib, path.basename(source.cApiLib)));
  if (arch !== process.arch) {
    throw new SdxlError(
      ErrorCode.BACKEND_LINK_SOURCE_INVALID,
      `${source.path}: its ${source.cApiLib} is ${arch === undefined ? 'not an ELF shared library' : `built for ${arch}`}; this machine is ${process.platform}-${process.arch}`,
      { details: { from: source.path } },
    );
  }
  return {
    tf: { ...source, includeDir: path.join(unpacked, 'tensorflow', 'include'), libDir: depsLib, cApiLib: path.basename(source.cApiLib), frameworkLib: path.basename(source.frameworkLib) },
    origin: { kind: 'wheel', path: source.path },
  };
}
