import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { findExecutable } from './findExecutable.js';

/** The programs and headers a binding build needs, found on this machine. */
export interface Toolchain {
  /** The C++ compiler (`$CXX`, else g++). */
  readonly cxx: string;
  readonly make: string;
  /** Python 3 for gyp (`$PYTHON`, `$npm_config_python`, else python3). */
  readonly python: string;
  readonly tar: string;
  readonly npm: string;
  /** node-gyp's CLI script, run with this Node. */
  readonly nodeGyp: string;
  /** The folder whose `include/node` holds this Node's headers (node-gyp's `--nodedir`). */
  readonly nodeDir: string;
}

/**
 * Finds g++, make, python3, tar, npm, node-gyp and this Node's headers, or throws
 * SdxlError(BACKEND_LINK_TOOLCHAIN_MISSING) listing everything missing and how to get it.
 */
export function checkToolchain(env: NodeJS.ProcessEnv = process.env, execPath: string = process.execPath): Toolchain {
  const missing: string[] = [];
  const need = (found: string | undefined, what: string): string => {
    if (found === undefined) missing.push(what);
    return found ?? '';
  };
  const cxxName = env['CXX'] ?? 'g++';
  const pythonName = env['PYTHON'] ?? env['npm_config_python'] ?? 'python3';
  const toolchain: Toolchain = {
    cxx: need(findExecutable(cxxName, env), `a C++ compiler (${cxxName}${env['CXX'] === undefined ? '; or set CXX' : ', from CXX'}): Debian/Ubuntu \`apt-get install g++\``),
    make: need(findExecutable('make', env), 'make: `apt-get install make`'),
    python: need(findExecutable(pythonName, env), `${pythonName} (gyp runs on it; or set PYTHON): \`apt-get install python3\``),
    tar: need(findExecutable('tar', env), 'tar: `apt-get install tar`'),
    npm: need(findExecutable('npm', env) ?? findExecutable(path.join(path.dirname(execPath), 'npm'), env), 'npm (fetches the tfjs-node package): it ships with Node.js'),
    nodeGyp: need(findNodeGyp(env, execPath), 'node-gyp (ships inside npm): `npm install -g node-gyp`, or set npm_config_node_gyp to its bin/node-gyp.js'),
    nodeDir: need(
      findNodeDir(env, execPath),
      `the headers of Node ${process.version} (include/node/node_api.h and common.gypi) in ${nodeDirCandidates(env, execPath).join(', ')}: ` +
        'install them (Debian/Ubuntu: `apt-get install libnode-dev`; nodejs.org builds ship them), or run `npx node-gyp install` ' +
        '(downloads them; needs internet), or set npm_config_nodedir to a folder with include/node',
    ),
  };
  if (missing.length > 0) {
    throw new SdxlError(
      ErrorCode.BACKEND_LINK_TOOLCHAIN_MISSING,
      `cannot build the TensorFlow binding: missing ${missing.map((m) => `\n  - ${m}`).join('')}`,
      { details: { missing } },
    );
  }
  return toolchain;
}

/** Where node-gyp looks for headers, in our order: npm's nodedir setting, this Node's own prefix, node-gyp's download folder. */
function nodeDirCandidates(env: NodeJS.ProcessEnv, execPath: string): string[] {
  const cache = env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache');
  return [
    ...(env['npm_config_nodedir'] ? [env['npm_config_nodedir']] : []),
    path.resolve(path.dirname(execPath), '..'),
    path.join(env['npm_config_devdir'] ?? path.join(cache, 'node-gyp'), process.versions.node),
  ];
}

function findNodeDir(env: NodeJS.ProcessEnv, execPath: string): string | undefined {
  return nodeDirCandidates(env, execPath).find((dir) => existsSync(path.join(dir, 'include', 'node', 'node_api.h')) && existsSync(path.join(dir, 'include', 'node', 'common.gypi')));
}

function findNodeGyp(env: NodeJS.ProcessEnv, execPath: string): string | undefined {
  const script = path.join('node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const candidates: string[] = [];
  if (env['npm_config_node_gyp']) candidates.push(env['npm_config_node_gyp']);
  candidates.push(path.resolve(path.dirname(execPath), '..', 'lib', 'node_modules', 'npm', script));
  const npm = findExecutable('npm', env);
  if (npm !== undefined) {
    // why: npm is usually a symlink to <npm>/bin/npm-cli.js; node-gyp sits in <npm>/node_modules.
    candidates.push(path.resolve(path.dirname(realpathSync(npm)), '..', script));
  }
  try {
    candidates.push(createRequire(path.join(process.cwd(), 'noop.js')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed in the project; fine
  }
  return candidates.find((file) => existsSync(file));
}
