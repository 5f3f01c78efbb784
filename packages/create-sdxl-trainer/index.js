#!/usr/bin/env node
// why a check before anything loads: on an old Node the real error would be a syntax or import error nobody can read.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`create-sdxl-trainer needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}
await import('./dist/index.js');
