import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Rng } from '@sdxl-trainer/core';
import { planAugmentation } from '../image/AugmentationPlan.js';
import { preprocessImage } from '../image/preprocessImage.js';
import type { TransformSettings } from '../image/TransformSettings.js';
import { mapLimit } from '../util/mapLimit.js';

/** Throughput of one decode configuration. */
export interface DecodeResult {
  readonly imagesPerSecond: number;
  /** Main-thread CPU time per image: what decoding takes away from a training step running on that thread. */
  readonly mainThreadMsPerImage: number;
}

/**
 * CPU time of the main thread alone, in ms: Linux's per-thread counters (`/proc/self/task/<pid>/stat`, utime +
 * stime in 10 ms ticks); elsewhere the event loop's busy time, which also counts time the thread sat preempted.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const round = (v: number, digits = 1) => Number(v.toFixed(digits));

async function timed(images: number, run: () => Promise<void>): Promise<DecodeResult> {
  const elu = performance.eventLoopUtilization();
  const cpu = mainThreadCpuMs();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const cpuAfter = mainThreadCpuMs();
  const busy = cpu !== undefined && cpuAfter !== undefined ? cpuAfter - cpu : performance.eventLoopUtilization(elu).active;
  return { imagesPerSecond: round(images / seconds), mainThreadMsPerImage: round(busy / images, 2) };
}

/** `count` preprocessImage calls on the main thread, `inFlight` at a time (parallelism from libuv's threadpool). */
export async function benchThreadpool(bytes: Uint8Array, settings: TransformSettings, inFlight: number, count: number): Promise<DecodeResult> {
  const one = (i: number) => preprocessImage(bytes, settings, (resized) => planAugmentation(resized, settings, Rng.fromSeed(i)));
  await mapLimit([0, 1, 2], inFlight, (_, i) => one(i)); // warm-up
  return timed(count, async () => void (await mapLimit(Array.from({ length: count }, (_, i) => i), inFlight, (_, i) => one(i))));
}

/** The same work in `workers` worker threads (the compiled decodeWorker.js), pixels transferred back. */
export async function benchWorkers(bytes: Uint8Array, settings: TransformSettings, workers: number, count: number): Promise<DecodeResult> {
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./decodeWorker.js', import.meta.url)));
  try {
    const pending = new Map<number, () => void>();
    for (const worker of pool) worker.on('message', (m: { id: number }) => pending.get(m.id)?.());
    let id = 0;
    const run = (worker: Worker) => new Promise<void>((resolve) => {
      const job = id++;
      pending.set(job, resolve);
      worker.postMessage({ id: job, bytes, settings });
    });
    await Promise.all(pool.map(run)); // warm-up (module load)
    let next = 0;
    return await timed(count, async () => {
      await Promise.all(pool.map(async (worker) => {
        while (next < count) {
          next++;
          await run(worker);
        }
      }));
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** Cores on this machine (for the report). */
export const cores = availableParallelism();
