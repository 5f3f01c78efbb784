import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TFJS_NODE_VERSION } from './LinkedBuild.js';

/** The global symbol through which the loader hands the host's tfjs-core to a linked tfjs-node. */
export const TFJS_CORE_HANDOFF = '@sdxl-trainer/tensor:tfjs-core';

const HEADER = '// Written by @sdxl-trainer/tensor (linkTensorflow). Not the real package: see that package\'s README, "Backends".\n';

const TFJS_CORE = `${HEADER}'use strict';
// why: tfjs-node must run on the host project's tfjs-core; a second copy would be a second engine
// whose tensors the host cannot use. The loader puts the host's module object here before requiring tfjs-node.
const core = globalThis[Symbol.for(${JSON.stringify(TFJS_CORE_HANDOFF)})];
if (core === undefined) {
  throw new Error('This @tensorflow/tfjs-node was linked by sdxl-trainer to run on the host project\\'s @tensorflow/tfjs-core: ' +
    'load it with initBackend() from @sdxl-trainer/tensor (or set globalThis[Symbol.for(${JSON.stringify(TFJS_CORE_HANDOFF)})] to your tfjs-core first).');
}
module.exports = core;
`;

const TFJS = `${HEADER}'use strict';
// why: tfjs-node requires the @tensorflow/tfjs umbrella, but of it uses only tfjs-core plus two names of
// tfjs-layers (the model.fit progress bar), which this project does not install.
const core = require('@tensorflow/tfjs-core');
class CustomCallback {
  constructor() {
    throw new Error('tfjs-layers (model.fit callbacks) is not part of this sdxl-trainer linked build of tfjs-node');
  }
}
module.exports = Object.assign({}, core, {
  version: { 'tfjs-core': core.version_core, tfjs: core.version_core },
  CustomCallback,
  registerCallbackConstructor() {},
});
`;

const preGyp = (napiVersion: number): string => `${HEADER}'use strict';
// why: tfjs-node asks node-pre-gyp where its compiled binding is; it is where linkTensorflow built it.
const path = require('path');
exports.find = function find(packageJsonPath) {
  const binary = require(packageJsonPath).binary;
  const folder = binary.module_path.replace('{napi_build_version}', '${napiVersion}');
  return path.join(path.dirname(packageJsonPath), folder, binary.module_name + '.node');
};
`;

/**
 * Writes the three stand-in packages a linked tfjs-node resolves from its build folder's node_modules:
 * `@tensorflow/tfjs-core` (the host's instance, handed over by the loader), `@tensorflow/tfjs` (that
 * core plus the two tfjs-layers names tfjs-node touches at load) and `@mapbox/node-pre-gyp` (`find()`).
 */
export function writeShims(nodeModules: string, napiVersion: number): void {
  write(nodeModules, '@tensorflow/tfjs-core', TFJS_NODE_VERSION, TFJS_CORE);
  write(nodeModules, '@tensorflow/tfjs', TFJS_NODE_VERSION, TFJS);
  write(nodeModules, '@mapbox/node-pre-gyp', '1.0.9', preGyp(napiVersion));
}

function write(nodeModules: string, name: string, version: string, code: string): void {
  const dir = path.join(nodeModules, ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  const manifest = { name, version, description: 'sdxl-trainer stand-in for a linked tfjs-node', private: true, main: 'index.js' };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, 'index.js'), code);
}
