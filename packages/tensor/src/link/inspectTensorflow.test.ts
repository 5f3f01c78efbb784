import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { tempDir } from '../testing/tempDirs.js';
import { inspectTensorflow } from './inspectTensorflow.js';

const tmp = (): string => tempDir('sdxl-tensor-tf');

/** 20 bytes of an ELF64 little-endian header with e_machine = `machine` (62 x86-64, 183 aarch64). */
function elf(machine: number): Buffer {
  const head = Buffer.alloc(64);
  head.writeUInt32BE(0x7f454c46, 0);
  head[4] = 2;
  head[5] = 1;
  head.writeUInt16LE(machine, 18);
  return head;
}
const THIS_MACHINE = process.arch === 'arm64' ? 183 : 62;
const OTHER_MACHINE = process.arch === 'arm64' ? 62 : 183;

function headers(include: string): void {
  mkdirSync(path.join(include, 'tensorflow', 'c', 'eager'), { recursive: true });
  writeFileSync(path.join(include, 'tensorflow', 'c', 'c_api.h'), '');
  writeFileSync(path.join(include, 'tensorflow', 'c', 'eager', 'c_api.h'), '');
}

/** A virtual environment as pip lays it out: lib/python3.11/site-packages/{tensorflow, <dist>.dist-info}. */
function venv(options: { version?: string; machine?: number; headers?: boolean; dist?: string } = {}): string {
  const env = tmp();
  const site = path.join(env, 'lib', 'python3.11', 'site-packages');
  const pkg = path.join(site, 'tensorflow');
  mkdirSync(pkg, { recursive: true });
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) writeFileSync(path.join(pkg, lib), elf(options.machine ?? THIS_MACHINE));
  if (options.headers ?? true) headers(path.join(pkg, 'include'));
  const info = path.join(site, `${options.dist ?? 'tensorflow_cpu'}-${options.version ?? '2.21.0'}.dist-info`);
  mkdirSync(info);
  writeFileSync(path.join(info, 'METADATA'), `Metadata-Version: 2.1\nName: tensorflow-cpu\nVersion: ${options.version ?? '2.21.0'}\n`);
  writeFileSync(path.join(info, 'RECORD'), 'tensorflow/__init__.py,sha256=x,1\ntensorflow/libtensorflow_framework.so.2,sha256=y,2\n');
  // another distribution whose name starts the same way must not be taken for TensorFlow
  const other = path.join(site, 'tensorflow_estimator-2.15.0.dist-info');
  mkdirSync(other);
  writeFileSync(path.join(other, 'METADATA'), 'Name: tensorflow-estimator\nVersion: 2.15.0\n');
  writeFileSync(path.join(other, 'RECORD'), 'tensorflow_estimator/__init__.py,sha256=x,1\n');
  return env;
}

/** A wheel made with Python's zipfile holding the given members (text bodies). */
function wheel(name: string, members: Record<string, string>): string {
  const file = path.join(tmp(), name);
  const script = 'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], "w")\nfor k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)\nz.close()';
  execFileSync('python3', ['-c', script, file, JSON.stringify(members)]);
  return file;
}

const goodWheel = (platform: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'tensorflow/libtensorflow_cc.so.2': 'x',
  'tensorflow/libtensorflow_framework.so.2': 'x',
  'tensorflow/include/tensorflow/c/c_api.h': '',
  'tensorflow/include/tensorflow/c/eager/c_api.h': '',
  'tensorflow_cpu-2.21.0.dist-info/WHEEL': `Wheel-Version: 1.0\nTag: cp311-cp311-${platform}\n`,
  'tensorflow_cpu-2.21.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: tensorflow-cpu\nVersion: 2.21.0\n',
  ...extra,
});

describe('inspectTensorflow', () => {
  it('finds TensorFlow in a Python environment, its site-packages or its package folder, with the version pip recorded', async () => {
    const env = venv();
    const pkg = path.join(env, 'lib', 'python3.11', 'site-packages', 'tensorflow');
    for (const from of [env, path.dirname(pkg), pkg]) {
      const source = await inspectTensorflow(from, 'python3');
      expect(source).toEqual({
        kind: 'python-env',
        path: from,
        version: '2.21.0',
        includeDir: path.join(pkg, 'include'),
        libDir: realpathSync(pkg),
        cApiLib: 'libtensorflow_cc.so.2',
        frameworkLib: 'libtensorflow_framework.so.2',
      });
    }
  });

  it('finds a libtensorflow folder and reads its version from the library names', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'lib'));
    for (const base of ['libtensorflow', 'libtensorflow_framework']) {
      writeFileSync(path.join(dir, 'lib', `${base}.so.2.9.1`), elf(THIS_MACHINE));
      symlinkSync(`${base}.so.2.9.1`, path.join(dir, 'lib', `${base}.so.2`));
    }
    headers(path.join(dir, 'include'));
    const source = await inspectTensorflow(dir, 'python3');
    expect(source).toMatchObject({ kind: 'libtensorflow', version: '2.9.1', cApiLib: 'libtensorflow.so.2', libDir: realpathSync(path.join(dir, 'lib')) });
  });

  it('refuses TensorFlow older than 2.9, missing C API headers and libraries of another architecture', async () => {
    const cases: Array<[string, RegExp]> = [
      [venv({ version: '2.8.4' }), /holds TensorFlow 2\.8\.4; the tfjs-node binding needs TensorFlow 2\.9\.0 or newer/],
      [venv({ headers: false }), /lacks the TensorFlow C API headers \(tensorflow\/c\/c_api\.h, tensorflow\/c\/eager\/c_api\.h\)/],
      [venv({ machine: OTHER_MACHINE }), new RegExp(`libtensorflow_cc\\.so\\.2 is built for ${OTHER_MACHINE === 183 ? 'arm64' : 'x64'}; this machine is ${process.platform}-${process.arch}`)],
      [tmp(), /found no TensorFlow in .*: looked for a Python environment/],
    ];
    for (const [from, message] of cases) {
      await expect(inspectTensorflow(from, 'python3')).rejects.toMatchObject({ code: ErrorCode.BACKEND_LINK_SOURCE_INVALID, message: expect.stringMatching(message) });
    }
  });

  it('reads a wheel without unpacking it, and refuses one of another platform or without the C API', async () => {
    const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
    const good = wheel(`tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_${arch}.whl`, goodWheel(`manylinux_2_27_${arch}`));
    expect(await inspectTensorflow(good, 'python3')).toEqual({
      kind: 'wheel',
      path: good,
      version: '2.21.0',
      includeDir: undefined,
      libDir: undefined,
      cApiLib: 'tensorflow/libtensorflow_cc.so.2',
      frameworkLib: 'tensorflow/libtensorflow_framework.so.2',
    });
    const mac = wheel('tensorflow-2.21.0-cp311-cp311-macosx_12_0_arm64.whl', goodWheel('macosx_12_0_arm64'));
    await expect(inspectTensorflow(mac, 'python3')).rejects.toMatchObject({
      code: ErrorCode.BACKEND_LINK_SOURCE_INVALID,
      message: expect.stringContaining(`is a wheel for macosx_12_0_arm64; this machine is ${process.platform}-${process.arch}`),
    });
    const noLib = { ...goodWheel(`manylinux_2_27_${arch}`) } as Record<string, string>;
    delete noLib['tensorflow/libtensorflow_cc.so.2'];
    await expect(inspectTensorflow(wheel('t.whl', noLib), 'python3')).rejects.toThrow(/has no tensorflow\/libtensorflow_cc\.so\.2/);
    const noHeader = { ...goodWheel(`manylinux_2_27_${arch}`) } as Record<string, string>;
    delete noHeader['tensorflow/include/tensorflow/c/eager/c_api.h'];
    await expect(inspectTensorflow(wheel('t.whl', noHeader), 'python3')).rejects.toThrow(/has no C API headers \(tensorflow\/include\/tensorflow\/c\/eager\/c_api\.h\)/);
    const notZip = path.join(tmp(), 'broken.whl');
    writeFileSync(notZip, 'not a zip');
    await expect(inspectTensorflow(notZip, 'python3')).rejects.toThrow(/broken\.whl is not a readable wheel/);
  });
});
