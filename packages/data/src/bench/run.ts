// `npm run bench`: decode + transform throughput (main-thread threadpool vs worker_threads) and cache precompute
// throughput with trivial encoders. Writes bench-results/data.json at the repo root and prints it.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { transformSettings } from '../image/TransformSettings.js';
import { benchThreadpool, benchWorkers, cores, type DecodeResult } from './decodeBench.js';
import { photoJpeg } from './photoJpeg.js';
import { benchPrecompute, memorySource } from './precomputeBench.js';
import { repoRoot } from './repoRoot.js';

const COUNT = 40;
const inputs = { '1024x1024 jpeg': await photoJpeg(1024, 1024), '1536x1024 jpeg': await photoJpeg(1536, 1024, 2) };
const decode: Record<string, Record<string, DecodeResult>> = {};
for (const [name, bytes] of Object.entries(inputs)) {
  for (const resolution of [1024, 512]) {
    const settings = transformSettings({ resolution, randomFlip: true });
    const row: Record<string, DecodeResult> = {};
    for (const n of [1, 2]) {
      row[`threadpool, ${n} in flight`] = await benchThreadpool(bytes, settings, n, COUNT);
      row[`worker_threads, ${n} workers`] = await benchWorkers(bytes, settings, n, COUNT);
    }
    decode[`${name} -> ${resolution} crop (lanczos, random crop + flip)`] = row;
  }
}

const jpegs = await Promise.all(Array.from({ length: 48 }, (_, i) => photoJpeg(512, 512, i + 3)));
const cacheDir = path.join(os.tmpdir(), `sdxl-data-bench-${process.pid}`);
const precompute = await benchPrecompute(memorySource(jpegs, 48), 512, cacheDir);

const report = {
  what:
    '@sdxl-trainer/data benchmarks. decode: images/s of preprocessImage (decode, EXIF, resize, flip, crop, [-1,1] float32 NHWC) and main-thread ms per image; ' +
    'main-thread ms = CPU time of the main thread (Linux per-thread counters, 10 ms ticks over the run). "threadpool" = sharp on the main thread with N calls in flight (libvips work runs on libuv threads), "worker_threads" = the same call inside N workers. ' +
    'precompute: 48 distinct 512x512 JPEGs with distinct captions at resolution 512 with trivial encoders of real SDXL output sizes (text 77x2048 + 1280, latent 64x64x4): ' +
    'cold = empty cache (decode + hash + serialise + atomic write), warm = every entry a hit (read + hash + CRC verify).',
  machine: { cpus: cores, model: os.cpus()[0]?.model, loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))), node: process.version, vips: sharp.versions.vips, sharpConcurrency: sharp.concurrency(), uvThreadpool: process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)', date: new Date().toISOString() },
  decode,
  precompute,
};
const out = path.join(repoRoot(import.meta.url), 'bench-results', 'data.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\nwrote ${out}\n`);
