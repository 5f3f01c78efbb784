import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { tempDir } from '../testing/tempDirs.js';
import { checkToolchain } from './checkToolchain.js';

const tmp = (): string => tempDir('sdxl-tensor-tools');

function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

/** A Node install as nodejs.org lays it out: bin/node, include/node headers, npm with node-gyp inside. */
function nodePrefix(withHeaders: boolean): { execPath: string; prefix: string } {
  const prefix = tmp();
  const execPath = executable(path.join(prefix, 'bin', 'node'));
  executable(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  if (withHeaders) {
    mkdirSync(path.join(prefix, 'include', 'node'), { recursive: true });
    for (const f of ['node_api.h', 'common.gypi']) writeFileSync(path.join(prefix, 'include', 'node', f), '');
  }
  return { execPath, prefix };
}

describe('checkToolchain', () => {
  it('finds every tool on PATH, node-gyp inside npm and the headers beside node', () => {
    const bin = tmp();
    for (const tool of ['g++', 'make', 'python3', 'tar', 'npm']) executable(path.join(bin, tool));
    const { execPath, prefix } = nodePrefix(true);
    const found = checkToolchain({ PATH: bin, HOME: tmp() }, execPath);
    expect(found).toEqual({
      cxx: path.join(bin, 'g++'),
      make: path.join(bin, 'make'),
      python: path.join(bin, 'python3'),
      tar: path.join(bin, 'tar'),
      npm: path.join(bin, 'npm'),
      nodeGyp: path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
      nodeDir: prefix,
    });
  });

  it('honours CXX and PYTHON', () => {
    const bin = tmp();
    for (const tool of ['clang++', 'make', 'python3.12', 'tar', 'npm']) executable(path.join(bin, tool));
    const { execPath } = nodePrefix(true);
    const found = checkToolchain({ PATH: bin, CXX: 'clang++', PYTHON: 'python3.12', HOME: tmp() }, execPath);
    expect(found.cxx).toBe(path.join(bin, 'clang++'));
    expect(found.python).toBe(path.join(bin, 'python3.12'));
  });

  it('lists everything missing with how to get it: compiler, make, python3, tar, npm and the Node headers', () => {
    const { execPath, prefix } = nodePrefix(false);
    const cache = tmp();
    let error: unknown;
    try {
      checkToolchain({ PATH: tmp(), XDG_CACHE_HOME: cache }, execPath);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: ErrorCode.BACKEND_LINK_TOOLCHAIN_MISSING });
    const message = (error as Error).message;
    for (const line of [
      '- a C++ compiler (g++; or set CXX): Debian/Ubuntu `apt-get install g++`',
      '- make: `apt-get install make`',
      '- python3 (gyp runs on it; or set PYTHON): `apt-get install python3`',
      '- tar: `apt-get install tar`',
      '- npm (fetches the tfjs-node package)',
      `- the headers of Node ${process.version} (include/node/node_api.h and common.gypi) in ${prefix}, ${path.join(cache, 'node-gyp', process.versions.node)}`,
    ]) {
      expect(message).toContain(line);
    }
    expect(message).not.toContain('node-gyp (ships inside npm)');
  });
});
