import { createRequire } from 'node:module';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { runCommand } from './runCommand.js';
import { TFJS_CORE_HANDOFF } from './writeShims.js';

/** What a freshly built binding said about itself in a child process. */
export interface BuildCheck {
  /** `TF_Version()`. */
  readonly version: string;
  /** libtensorflow chose a GPU device. */
  readonly gpu: boolean;
}

// Loads the linked package on the host's tfjs-core (as initBackend will) and multiplies two matrices.
const SCRIPT = `
const [core, resolveFrom, name] = process.argv.slice(1);
const tf = require(core);
globalThis[Symbol.for(${JSON.stringify(TFJS_CORE_HANDOFF)})] = tf;
tf.env().set('PROD', true);
require(require('module').createRequire(resolveFrom).resolve(name));
const y = Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1])).dataSync());
if (tf.getBackend() !== 'tensorflow' || y[0] !== 17 || y[1] !== 39) throw new Error('backend ' + tf.getBackend() + ' computed ' + y);
process.stdout.write(JSON.stringify({ version: tf.backend().binding.TF_Version, gpu: tf.backend().isUsingGpuDevice }) + '\\n');
`;

/**
 * Loads the linked package `name` from `buildDir` in a child Node (so this process stays free to load
 * another) on this package's tfjs-core, checks a 2x2 matmul, and returns the version and device libtensorflow reports.
 */
export async function verifyBuild(buildDir: string, name: string): Promise<BuildCheck> {
  const core = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core');
  const result = await runCommand(process.execPath, ['-e', SCRIPT, core, `${buildDir}/noop.js`, name], { tailLines: 20 });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code === 0 && last.startsWith('{')) return JSON.parse(last) as BuildCheck;
  throw new SdxlError(
    ErrorCode.BACKEND_LINK_BUILD_FAILED,
    `the binding built in ${buildDir} does not load (exit ${result.code}):\n${result.tail}`,
    { details: { buildDir } },
  );
}
