// `npm run bench`: replaced kernels against cpu and stock wasm, groupNorm, checkpointing, a training step,
// and the tensorflow backend beside them when a linked build (sdxl-train backend link) or tfjs-node is there.
// Writes bench-results/tensor.json at the repo root and prints it. Keep the whole run under ~5 minutes.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { checkpoint } from '../checkpoint.js';
import { groupNorm, groupNormMoments } from '../groupNorm.js';
import { initBackend, type BackendReport } from '../initBackend.js';
import { installWasmBackend } from '../installWasmBackend.js';
import { CPU_KERNEL_REPLACEMENTS, registerCpuKernels, unregisterCpuKernels } from '../registerCpuKernels.js';
import { registerGradients } from '../registerGradients.js';
import { registerWasmKernels, unregisterWasmKernels } from '../registerWasmKernels.js';
import { convNet, convNetParams, resnetBlock, resnetParams } from './benchNets.js';
import { HEADLINE_CASES } from './headlineCases.js';
import { KERNEL_CASES, type KernelCase } from './kernelCases.js';
import { measure, round, type Timing } from './measure.js';
import { repoRoot } from './repoRoot.js';

interface Entry extends Timing {
  readonly gflops?: number;
  readonly gbps?: number;
}
type Row = { kernel: string; case: string; results: Record<string, Entry> };

const kernelRows: Row[] = KERNEL_CASES.map((c) => ({ kernel: c.kernel, case: c.label, results: {} }));
const groupNormRows: Record<string, Record<string, Timing>> = {};
const checkpointRows: Record<string, unknown> = {};
const stepRows: Record<string, Timing> = {};
const headlineRows: Array<{ case: string; results: Record<string, Entry> }> = HEADLINE_CASES.map((c) => ({ case: c.label, results: {} }));

function headline(column: string): void {
  HEADLINE_CASES.forEach((c, i) => {
    const { run, dispose } = c.setup();
    const t = measure(run);
    dispose();
    headlineRows[i]!.results[column] = { ...t, gflops: round(c.flops / t.ms / 1e6) };
  });
}

/** The tensorflow backend if one can start here, else why not. */
async function startTensorflow(): Promise<BackendReport | string> {
  try {
    return await initBackend({ backend: 'tensorflow' });
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
}

function timeKernel(c: KernelCase): Entry {
  const { inputs, attrs } = c.make();
  try {
    const t = measure(() => {
      const out = tf.engine().runKernel(c.kernel, inputs, attrs as never) as tf.Tensor;
      out.dataSync();
      out.dispose();
    });
    return {
      ...t,
      ...(c.flops === undefined ? {} : { gflops: round(c.flops / t.ms / 1e6) }),
      ...(c.bytes === undefined ? {} : { gbps: round(c.bytes / t.ms / 1e6) }),
    };
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

function kernels(column: string, only?: (c: KernelCase) => boolean): void {
  KERNEL_CASES.forEach((c, i) => {
    if (only !== undefined && !only(c)) return;
    if (tf.getKernel(c.kernel, tf.getBackend()) === undefined) return;
    kernelRows[i]!.results[column] = timeKernel(c);
  });
}

function groupNormBench(column: string): void {
  const x = tf.randomNormal([2, 32, 32, 64], 0.3, 1.5, 'float32', 1) as tf.Tensor4D;
  const gamma = tf.ones([64]) as tf.Tensor1D;
  const beta = tf.zeros([64]) as tf.Tensor1D;
  for (const [name, f] of [['fast', groupNorm], ['moments', groupNormMoments]] as const) {
    groupNormRows[`${name} forward`] ??= {};
    groupNormRows[`${name} forward`]![column] = measure(() => tf.tidy(() => void f(x, 32, gamma, beta).dataSync()));
    groupNormRows[`${name} forward+backward`] ??= {};
    groupNormRows[`${name} forward+backward`]![column] = measure(() =>
      tf.tidy(() => {
        const gs = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(f(a as tf.Tensor4D, 32, g as tf.Tensor1D, b as tf.Tensor1D))))([x, gamma, beta]);
        for (const g of gs) g.dataSync();
      }),
    );
  }
  tf.dispose([x, gamma, beta]);
}

async function checkpointBench(column: string): Promise<void> {
  const blocks = Array.from({ length: 4 }, (_, i) => resnetParams(64, 100 + 10 * i));
  const x = tf.randomNormal([2, 32, 32, 64], 0, 1, 'float32', 5);
  const ck = checkpoint(resnetBlock as (...t: tf.Tensor[]) => tf.Tensor);
  const out: Record<string, unknown> = {};
  for (const [name, f] of [['plain', resnetBlock], ['checkpointed', ck]] as const) {
    const step = (): void => {
      const { value, grads } = tf.variableGrads(() => {
        let h: tf.Tensor = x;
        for (const p of blocks) h = (f as (...t: tf.Tensor[]) => tf.Tensor)(h, ...p);
        return tf.mean(tf.square(h)) as tf.Scalar;
      }, blocks.flat());
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    };
    const before = tf.memory().numBytes;
    const info = await tf.profile(step);
    out[name] = { peakExtraMiB: round((info.peakBytes - before) / 2 ** 20), step: measure(step, { minReps: 2, maxReps: 5 }) };
  }
  const plain = out['plain'] as { peakExtraMiB: number };
  const ckd = out['checkpointed'] as { peakExtraMiB: number };
  checkpointRows[column] = { ...out, memorySaved: `${round(plain.peakExtraMiB / ckd.peakExtraMiB)}x less at the peak` };
  tf.dispose([x, ...blocks.flat()]);
}

function trainingStepBench(column: string, reps: number): void {
  const params = convNetParams(32);
  const vars = Object.values(params).flat();
  const x = tf.randomNormal([2, 32, 32, 4], 0, 1, 'float32', 8) as tf.Tensor4D;
  const target = tf.randomNormal([2, 32, 32, 4], 0, 1, 'float32', 9);
  const optimizer = tf.train.adam(1e-3);
  stepRows[column] = measure(
    () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(convNet(x, params), target))) as tf.Scalar, vars);
        optimizer.applyGradients(grads as Record<string, tf.Variable>);
        value.dataSync();
      }),
    { minReps: reps, maxReps: reps, budgetMs: 60_000 },
  );
  optimizer.dispose();
  tf.dispose([x, target, ...vars]);
}

async function main(): Promise<void> {
  const started = performance.now();
  await registerGradients();

  await tf.setBackend('cpu');
  unregisterCpuKernels();
  kernels('cpu (stock)');
  registerCpuKernels();
  kernels('cpu (patched)', (c) => c.kernel in CPU_KERNEL_REPLACEMENTS);
  groupNormBench('cpu');
  headline('cpu (patched)');
  trainingStepBench('cpu (patched)', 2);

  for (const threads of [1, 2]) {
    const wasm = await installWasmBackend({ threads });
    const column = `wasm ${wasm.threads}t`;
    unregisterWasmKernels();
    kernels(`${column} stock`);
    registerWasmKernels();
    kernels(column);
    groupNormBench(column);
    headline(column);
    await checkpointBench(column);
    trainingStepBench(column, 5);
  }

  // why: last, because libtensorflow stays loaded; initBackend also registers this package's tensorflow kernels.
  const tensorflow = await startTensorflow();
  if (typeof tensorflow !== 'string') {
    const column = `tensorflow ${tensorflow.tensorflow?.version ?? ''} ${tensorflow.tensorflow?.device ?? ''} ${tensorflow.threads}t`.replace(/\s+/g, ' ');
    kernels(column);
    groupNormBench(column);
    headline(column);
    await checkpointBench(column);
    trainingStepBench(column, 5);
  }

  const result = {
    what: '@sdxl-trainer/tensor benchmarks: ms per call (median), GFLOP/s = 2·MNK-style FLOPs / time, GB/s = bytes read + written / time',
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, tfjs: tf.version_core, date: new Date().toISOString() },
    tensorflow: typeof tensorflow === 'string' ? { notRun: tensorflow } : { summary: tensorflow.summary, ...tensorflow.tensorflow },
    headline: headlineRows,
    kernels: kernelRows,
    groupNorm: { shape: '2x32x32x64, 32 groups', results: groupNormRows },
    checkpoint: { model: '4 ResNet blocks (GN, SiLU, conv3x3 x2) at 2x32x32x64, one variableGrads', results: checkpointRows },
    trainingStep: { model: 'conv net 2x32x32x4 → 32 ch, 2 ResNet blocks, down/up, Adam: forward + variableGrads + update', results: stepRows },
    totalSeconds: round((performance.now() - started) / 1000),
  };
  const file = path.join(repoRoot(import.meta.url), 'bench-results', 'tensor.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(file, json);
  process.stdout.write(json);
  process.stdout.write(`written to ${file}\n`);
}

await main();
