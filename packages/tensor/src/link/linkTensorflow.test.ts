import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { tempDir } from '../testing/tempDirs.js';
import { findLinkedBuild } from './linkedBuilds.js';
import { linkedBuildsDir } from './linkedBuildsDir.js';
import { linkTensorflow } from './linkTensorflow.js';

const tmp = (): string => tempDir('sdxl-tensor-link');

/** A cache folder; the npm tarballs of the real cache are copied in when there, to spare the registry. */
function cacheDir(): string {
  const dir = tmp();
  const tarballs = path.join(linkedBuildsDir(), 'tarballs');
  if (existsSync(tarballs)) cpSync(tarballs, path.join(dir, 'tarballs'), { recursive: true });
  return dir;
}

/** A CPU-only TensorFlow in a virtual environment: x86-64/aarch64 ELF headers, no CUDA runtime name. */
function cpuVenv(): string {
  const env = tmp();
  const pkg = path.join(env, 'lib', 'python3.11', 'site-packages', 'tensorflow');
  mkdirSync(path.join(pkg, 'include', 'tensorflow', 'c', 'eager'), { recursive: true });
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[5] = 1;
  elf.writeUInt16LE(process.arch === 'arm64' ? 183 : 62, 18);
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) writeFileSync(path.join(pkg, lib), Buffer.concat([elf, Buffer.from('cudnn cublas')]));
  for (const h of ['c_api.h', 'eager/c_api.h']) writeFileSync(path.join(pkg, 'include', 'tensorflow', 'c', h), '');
  return env;
}

const saved = process.env['TFJS_NODE_BASE_URI'];
afterEach(() => {
  if (saved === undefined) delete process.env['TFJS_NODE_BASE_URI'];
  else process.env['TFJS_NODE_BASE_URI'] = saved;
});

describe('linkTensorflow', () => {
  it("without --from takes tfjs-node's libtensorflow download and, when that fails, says so and suggests --from", async () => {
    // why: port 9 (discard) on the loopback refuses the connection at once, as an offline machine would.
    process.env['TFJS_NODE_BASE_URI'] = 'http://127.0.0.1:9/libtensorflow-';
    const dir = cacheDir();
    const error = (await linkTensorflow({ cacheDir: dir }).catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe(ErrorCode.BACKEND_LINK_DOWNLOAD_FAILED);
    const arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
    expect(error.message).toContain(`could not download libtensorflow 2.9.1 (cpu) from http://127.0.0.1:9/libtensorflow-cpu-linux-${arch}-2.9.1.tar.gz`);
    expect(error.message).toContain('`sdxl-train backend link tensorflow --from <python env | libtensorflow folder | wheel>`');
    // Nothing half-built is left behind.
    expect(readdirSync(dir).filter((f) => f !== 'tarballs' && f !== 'downloads')).toEqual([]);
  });

  it('refuses a CPU-only TensorFlow for --gpu before fetching anything', async () => {
    const dir = tmp();
    await expect(linkTensorflow({ from: cpuVenv(), gpu: true, cacheDir: dir })).rejects.toMatchObject({
      code: ErrorCode.BACKEND_LINK_SOURCE_INVALID,
      message: expect.stringMatching(/is a CPU-only TensorFlow \(its libraries never load the CUDA runtime, libcudart\), but the GPU was asked for\. Install a CUDA build .*tensorflow\[and-cuda\]/),
    });
    const wheel = path.join(tmp(), 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
    const members = {
      'tensorflow/libtensorflow_cc.so.2': '',
      'tensorflow/libtensorflow_framework.so.2': '',
      'tensorflow/include/tensorflow/c/c_api.h': '',
      'tensorflow/include/tensorflow/c/eager/c_api.h': '',
      'tensorflow_cpu-2.21.0.dist-info/WHEEL': `Tag: cp311-cp311-manylinux_2_27_${arch}\n`,
      'tensorflow_cpu-2.21.0.dist-info/METADATA': 'Name: tensorflow-cpu\nVersion: 2.21.0\n',
    };
    execFileSync('python3', ['-c', 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],"w")\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()', wheel, JSON.stringify(members)]);
    await expect(linkTensorflow({ from: wheel, gpu: true, cacheDir: dir })).rejects.toThrow(/is a CPU-only TensorFlow/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says what is wrong with --from before building', async () => {
    await expect(linkTensorflow({ from: path.join(tmp(), 'absent'), cacheDir: tmp() })).rejects.toMatchObject({
      code: ErrorCode.BACKEND_LINK_SOURCE_INVALID,
      message: expect.stringMatching(/--from .*absent does not exist/),
    });
  });
});

const linked = findLinkedBuild('cpu');
const reusable = linked !== undefined && existsSync(linked.source.path) ? linked : undefined;
describe.skipIf(reusable === undefined)(
  reusable === undefined ? 'linkTensorflow of an existing build — NOT RUN: no linked CPU build in the per-user cache' : `linkTensorflow of ${reusable.source.path} again`,
  () => {
    it('is instant: the build of the same TensorFlow is reused', async () => {
      const result = await linkTensorflow({ from: reusable!.source.path });
      expect(result.cached).toBe(true);
      expect(result.build.dir).toBe(reusable!.dir);
      expect(result.seconds).toBeLessThan(3);
    });
  },
);
