import { closeSync, openSync, readSync } from 'node:fs';

// ELF e_machine values (elf.h) for the architectures Node ships on Linux.
const MACHINES: Record<number, string> = { 62: 'x64', 183: 'arm64', 40: 'arm', 3: 'ia32', 21: 'ppc64', 22: 's390x' };

/**
 * The Node-style architecture (`x64`, `arm64`, …) an ELF shared library was built for, `unknown-<n>` for
 * others, or undefined when the file is not ELF.
 */
export function elfMachine(file: string): string | undefined {
  const head = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  // why: byte 5 is the data encoding (1 little-endian, 2 big-endian); e_machine is the half-word at 18.
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return MACHINES[machine] ?? `unknown-${machine}`;
}
