import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { runCommand } from './runCommand.js';

/** What {@link inspectWheel} reads from a wheel without unpacking it. */
export interface WheelContents {
  /** Shared libraries at the top of the `tensorflow/` package, e.g. `tensorflow/libtensorflow_cc.so.2`. */
  readonly libs: readonly string[];
  /** Which of the two C API headers the binding includes are present. */
  readonly headers: readonly string[];
  /** The `*.dist-info/WHEEL` text (its `Tag:` lines name the platform). */
  readonly wheel: string;
  /** The start of `*.dist-info/METADATA` (`Name:`, `Version:`). */
  readonly metadata: string;
}

/** The two headers tfjs-node's binding.gyp names. */
export const C_API_HEADERS = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'] as const;

// why: Python's zipfile reads the central directory and streams members to disk, so a 788 MB member
// never sits in memory, and it handles zip64; node-gyp needs python3 anyway.
const INSPECT = `
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
have = set(names)
def text(suffix, limit):
    for n in names:
        if n.count('/') == 1 and n.split('/')[0].endswith('.dist-info') and n.endswith(suffix):
            return z.read(n)[:limit].decode('utf-8', 'replace')
    return ''
print(json.dumps({
    'libs': [n for n in names if re.match(r'^tensorflow/lib[^/]*\\.so(\\.[0-9]+)*$', n)],
    'headers': [h for h in sys.argv[2:] if 'tensorflow/include/' + h in have],
    'wheel': text('/WHEEL', 4000),
    'metadata': text('/METADATA', 4000),
}))
`;

const EXTRACT = `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
prefixes = tuple(sys.argv[3:])
for n in z.namelist():
    if n.startswith(prefixes) and not n.endswith('/'):
        z.extract(n, sys.argv[2])
`;

/** Lists what a TensorFlow wheel holds (libraries, C API headers, tags, metadata). */
export async function inspectWheel(file: string, python: string): Promise<WheelContents> {
  const result = await runCommand(python, ['-c', INSPECT, file, ...C_API_HEADERS]);
  if (result.code !== 0) {
    throw new SdxlError(ErrorCode.BACKEND_LINK_SOURCE_INVALID, `${file} is not a readable wheel (zip): ${result.tail.trim().split('\n').pop() ?? ''}`, {
      details: { file },
    });
  }
  return JSON.parse(result.stdout) as WheelContents;
}

/** Extracts the members of `file` whose names start with one of `prefixes` into `dest`, streaming. */
export async function extractWheel(file: string, dest: string, prefixes: readonly string[], python: string): Promise<void> {
  const result = await runCommand(python, ['-c', EXTRACT, file, dest, ...prefixes]);
  if (result.code !== 0) {
    throw new SdxlError(ErrorCode.BACKEND_LINK_SOURCE_INVALID, `could not extract ${prefixes.join(', ')} from ${file}: ${result.tail.trim()}`, {
      details: { file },
    });
  }
}

/** The `Version:` of a dist-info METADATA text, or undefined. */
export function metadataVersion(metadata: string): string | undefined {
  return /^Version:\s*(\S+)\s*$/m.exec(metadata)?.[1];
}

/** The platform tags of a WHEEL text (`Tag: cp311-cp311-manylinux_2_27_x86_64` gives `manylinux_2_27_x86_64`). */
export function wheelPlatforms(wheel: string): string[] {
  return [...wheel.matchAll(/^Tag:\s*\S+?-\S+?-(\S+)\s*$/gm)].flatMap((m) => (m[1] ?? '').split('.'));
}
