import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { Toolchain } from './checkToolchain.js';
import { runCommand } from './runCommand.js';

/** What {@link buildBinding} compiles against. */
export interface BindingInputs {
  /** The unpacked tfjs-node(-gpu) package. */
  readonly packageDir: string;
  /** Folder with `tensorflow/c/c_api.h`. */
  readonly includeDir: string;
  /** Folder of the TensorFlow shared libraries (may be the package's own deps/lib). */
  readonly libDir: string;
  /** File name in `libDir` of the library with the C API (`libtensorflow.so.2` or `libtensorflow_cc.so.2`). */
  readonly cApiLib: string;
  /** File name in `libDir` of `libtensorflow_framework.so.2`. */
  readonly frameworkLib: string;
  readonly toolchain: Toolchain;
  readonly onLog?: ((line: string) => void) | undefined;
}

/** The N-API version node-pre-gyp would build tfjs-node for: the highest both the package and this Node support. */
export function napiBuildVersion(packageDir: string): number {
  const pkg = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { binary: { napi_versions: number[] } };
  const node = Number(process.versions.napi);
  const fit = pkg.binary.napi_versions.filter((v) => v <= node);
  if (fit.length === 0) throw new SdxlError(ErrorCode.BACKEND_LINK_BUILD_FAILED, `this Node's N-API ${node} is older than any tfjs-node supports (${pkg.binary.napi_versions.join(', ')})`);
  return Math.max(...fit);
}

/**
 * Lays out `deps/include` and `deps/lib` as tfjs-node's binding.gyp expects and runs `node-gyp rebuild`
 * (not tfjs-node's install script, which would download libtensorflow). The binding lands in
 * `lib/napi-v<N>/tfjs_binding.node`; its run path is `$ORIGIN/../../deps/lib` (binding.gyp) and, when
 * the libraries stay outside the package, their real folder first. Returns the N-API version.
 */
export async function buildBinding(inputs: BindingInputs): Promise<number> {
  const { packageDir, toolchain } = inputs;
  const deps = path.join(packageDir, 'deps');
  const depsLib = path.join(deps, 'lib');
  mkdirSync(depsLib, { recursive: true });
  if (path.resolve(inputs.includeDir) !== path.resolve(deps, 'include')) {
    rmSync(path.join(deps, 'include'), { recursive: true, force: true });
    symlinkSync(inputs.includeDir, path.join(deps, 'include'), 'dir');
  }
  const outside = path.resolve(inputs.libDir) !== path.resolve(depsLib);
  const target = (file: string): string => (outside ? path.join(inputs.libDir, file) : file);
  // why: binding.gyp links -ltensorflow -ltensorflow_framework; the loader then wants the libraries by
  // their sonames (libtensorflow_cc.so.2 for the pip wheel's C API library).
  const links: Record<string, string> = { 'libtensorflow.so': inputs.cApiLib, 'libtensorflow_framework.so': inputs.frameworkLib };
  if (outside) Object.assign(links, { [inputs.cApiLib]: inputs.cApiLib, [inputs.frameworkLib]: inputs.frameworkLib });
  for (const [name, file] of Object.entries(links)) {
    if (name === file && !outside) continue;
    rmSync(path.join(depsLib, name), { force: true });
    symlinkSync(target(file), path.join(depsLib, name));
  }
  const napi = napiBuildVersion(packageDir);
  const modulePath = path.join(packageDir, 'lib', `napi-v${napi}`);
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHON: toolchain.python, CXX: toolchain.cxx };
  // why: a Python environment's libraries find their neighbours (CUDA wheels under site-packages/nvidia)
  // through $ORIGIN-relative run paths, which only work when they are loaded from their real folder.
  if (outside) env['LDFLAGS'] = `${process.env['LDFLAGS'] ?? ''} -Wl,-rpath,${inputs.libDir}`.trim();
  const args = [
    toolchain.nodeGyp,
    'rebuild',
    `--nodedir=${toolchain.nodeDir}`,
    `--python=${toolchain.python}`,
    '--jobs=max',
    `--napi_build_version=${napi}`,
    '--module_name=tfjs_binding',
    `--module_path=${modulePath}`,
  ];
  const result = await runCommand(process.execPath, args, { cwd: packageDir, env, onLine: inputs.onLog, tailLines: 30 });
  const binding = path.join(modulePath, 'tfjs_binding.node');
  if (result.code !== 0 || !existsSync(binding)) {
    throw new SdxlError(
      ErrorCode.BACKEND_LINK_BUILD_FAILED,
      `node-gyp could not build the tfjs-node binding in ${packageDir} (exit ${result.code}); its last lines:\n${result.tail}`,
      { details: { packageDir } },
    );
  }
  // why: only the binding and the libraries are needed at run time; the headers (287 MB in a wheel) and objects are not.
  rmSync(path.join(deps, 'include'), { recursive: true, force: true });
  rmSync(path.join(packageDir, 'build'), { recursive: true, force: true });
  return napi;
}
