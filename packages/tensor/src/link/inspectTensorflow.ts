import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { compareVersions } from './linkedBuilds.js';
import { elfMachine } from './elfMachine.js';
import { C_API_HEADERS, inspectWheel, metadataVersion, wheelPlatforms } from './wheel.js';

/** A TensorFlow found where `--from` pointed, before anything is built. */
export interface TensorflowSource {
  readonly kind: 'python-env' | 'libtensorflow' | 'wheel';
  /** The `from` path, absolute. */
  readonly path: string;
  /** The TensorFlow version from the package metadata or library names; undefined when nothing says. */
  readonly version: string | undefined;
  /** Folder holding `tensorflow/c/c_api.h` (folders only; a wheel's is extracted at build time). */
  readonly includeDir: string | undefined;
  /** Real folder of the shared libraries (folders only). */
  readonly libDir: string | undefined;
  /** The library carrying the C API, e.g. `libtensorflow_cc.so.2` (a wheel member name for wheels). */
  readonly cApiLib: string;
  /** `libtensorflow_framework.so.2` (a wheel member name for wheels). */
  readonly frameworkLib: string;
}

/** The oldest TensorFlow whose C API tfjs-node 4.22's binding was written against (its libtensorflow 2.9.1). */
export const MIN_TENSORFLOW_VERSION = '2.9.0';

const WHEEL_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const FRAMEWORK = 'libtensorflow_framework.so.2';

/**
 * Works out what `from` is — a Python environment (or its site-packages, or the `tensorflow` package
 * folder), a libtensorflow folder (include/ + lib/) or a `.whl` — and checks it can give a binding for
 * this machine: C API headers present, TensorFlow ≥ 2.9, libraries for this CPU architecture.
 * Throws SdxlError(BACKEND_LINK_SOURCE_INVALID) saying what is wrong.
 */
export async function inspectTensorflow(from: string, python: string): Promise<TensorflowSource> {
  const full = path.resolve(from);
  if (!existsSync(full)) throw invalid(`--from ${full} does not exist`, full);
  const source = statSync(full).isFile() ? await fromWheel(full, python) : fromFolder(full);
  if (source.version !== undefined && compareVersions(source.version, MIN_TENSORFLOW_VERSION) < 0) {
    throw invalid(`${full} holds TensorFlow ${source.version}; the tfjs-node binding needs TensorFlow ${MIN_TENSORFLOW_VERSION} or newer`, full);
  }
  if (source.libDir !== undefined) {
    const arch = elfMachine(path.join(source.libDir, source.cApiLib));
    if (arch !== process.arch) {
      throw invalid(`${path.join(source.libDir, source.cApiLib)} is ${arch === undefined ? 'not an ELF shared library' : `built for ${arch}`}; this machine is ${process.platform}-${process.arch}`, full);
    }
  }
  return source;
}

async function fromWheel(file: string, python: string): Promise<TensorflowSource> {
  if (!file.endsWith('.whl')) {
    throw invalid(`--from ${file} is a file but not a wheel (.whl); give a Python environment folder, a libtensorflow folder (include/ + lib/) or a TensorFlow wheel`, file);
  }
  const contents = await inspectWheel(file, python);
  const platforms = wheelPlatforms(contents.wheel);
  const arch = WHEEL_ARCH[process.arch];
  const fits = process.platform === 'linux' && arch !== undefined && platforms.some((p) => /^(many)?linux/.test(p) && p.endsWith(`_${arch}`));
  if (!fits) {
    throw invalid(`${path.basename(file)} is a wheel for ${platforms.join(', ') || 'an unknown platform'}; this machine is ${process.platform}-${process.arch} (needs a linux ${arch ?? process.arch} wheel)`, file);
  }
  const cApi = contents.libs.find((l) => l === 'tensorflow/libtensorflow_cc.so.2');
  const framework = contents.libs.find((l) => l === `tensorflow/${FRAMEWORK}`);
  if (cApi === undefined || framework === undefined) {
    throw invalid(`${path.basename(file)} has no tensorflow/libtensorflow_cc.so.2 and ${FRAMEWORK} (the C API libraries); is it a TensorFlow wheel?`, file);
  }
  const missing = C_API_HEADERS.filter((h) => !contents.headers.includes(h));
  if (missing.length > 0) throw invalid(`${path.basename(file)} has no C API headers (tensorflow/include/${missing.join(', tensorflow/include/')})`, file);
  return { kind: 'wheel', path: file, version: metadataVersion(contents.metadata), includeDir: undefined, libDir: undefined, cApiLib: cApi, frameworkLib: framework };
}

function fromFolder(dir: string): TensorflowSource {
  const pkg = pythonPackageDirs(dir).find((d) => existsSync(path.join(d, FRAMEWORK)));
  if (pkg !== undefined) {
    if (!existsSync(path.join(pkg, 'libtensorflow_cc.so.2'))) {
      throw invalid(`${pkg} has no libtensorflow_cc.so.2 (the C API library); install a TensorFlow whose wheel ships it (pip install tensorflow)`, dir);
    }
    checkHeaders(path.join(pkg, 'include'), dir);
    return {
      kind: 'python-env',
      path: dir,
      version: distInfoVersion(path.dirname(pkg)),
      includeDir: path.join(pkg, 'include'),
      libDir: realpathSync(pkg),
      cApiLib: 'libtensorflow_cc.so.2',
      frameworkLib: FRAMEWORK,
    };
  }
  const lib = path.join(dir, 'lib');
  const libs = existsSync(lib) ? readdirSync(lib) : [];
  const cApi = ['libtensorflow.so.2', 'libtensorflow_cc.so.2'].find((l) => libs.includes(l));
  if (cApi !== undefined && libs.includes(FRAMEWORK)) {
    checkHeaders(path.join(dir, 'include'), dir);
    return {
      kind: 'libtensorflow',
      path: dir,
      version: libraryVersion(libs) ?? headerVersion(path.join(dir, 'include')),
      includeDir: path.join(dir, 'include'),
      libDir: realpathSync(lib),
      cApiLib: cApi,
      frameworkLib: FRAMEWORK,
    };
  }
  throw invalid(
    `found no TensorFlow in ${dir}: looked for a Python environment (lib/python3.*/site-packages/tensorflow/${FRAMEWORK}) and ` +
      `for a libtensorflow folder (lib/libtensorflow.so.2 + lib/${FRAMEWORK} + include/tensorflow/c/c_api.h)`,
    dir,
  );
}

/** Where the `tensorflow` Python package may sit for `dir` = the package itself, site-packages, or an environment. */
function pythonPackageDirs(dir: string): string[] {
  const found = [dir, path.join(dir, 'tensorflow')];
  for (const libName of ['lib', 'lib64']) {
    const lib = path.join(dir, libName);
    if (!existsSync(lib)) continue;
    for (const py of readdirSync(lib).filter((n) => /^python3\.\d+$/.test(n)).sort()) {
      found.push(path.join(lib, py, 'site-packages', 'tensorflow'));
    }
  }
  return found;
}

function checkHeaders(include: string, from: string): void {
  const missing = C_API_HEADERS.filter((h) => !existsSync(path.join(include, h)));
  if (missing.length > 0) {
    throw invalid(`${include} lacks the TensorFlow C API headers (${missing.join(', ')}); the binding cannot compile without them`, from);
  }
}

/** The version of the distribution in `sitePackages` that installed `tensorflow/libtensorflow_framework.so.2`. */
function distInfoVersion(sitePackages: string): string | undefined {
  if (!existsSync(sitePackages)) return undefined;
  for (const name of readdirSync(sitePackages).filter((n) => n.endsWith('.dist-info') && /^(tensorflow|tf_nightly)/i.test(n))) {
    try {
      const record = readFileSync(path.join(sitePackages, name, 'RECORD'), 'utf8');
      if (!record.includes(`tensorflow/${FRAMEWORK},`)) continue;
      return metadataVersion(readFileSync(path.join(sitePackages, name, 'METADATA'), 'utf8'));
    } catch {
      // an unreadable dist-info is not the one
    }
  }
  return undefined;
}

/** `libtensorflow.so.2.9.1` gives 2.9.1. */
function libraryVersion(libs: readonly string[]): string | undefined {
  for (const l of libs) {
    const m = /^libtensorflow(?:_cc|_framework)?\.so\.(\d+\.\d+\.\d+)$/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/** TF_MAJOR/MINOR/PATCH_VERSION from version.h (libtensorflow ≤ 2.15 keeps them there). */
function headerVersion(include: string): string | undefined {
  try {
    const text = readFileSync(path.join(include, 'tensorflow', 'core', 'public', 'version.h'), 'utf8');
    const part = (name: string): string | undefined => new RegExp(`#define TF_${name}_VERSION (\\d+)`).exec(text)?.[1];
    const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
    return major && minor && patch ? `${major}.${minor}.${patch}` : undefined;
  } catch {
    return undefined;
  }
}

function invalid(message: string, from: string): SdxlError {
  return new SdxlError(ErrorCode.BACKEND_LINK_SOURCE_INVALID, message, { details: { from } });
}
