import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Stage, type LogLevel, type PluginOption, type Trainer, type TrainerPlugin } from '@sdxl-trainer/core';
import { recordRun } from '@sdxl-trainer/tests-toy';
import wandb from '../wandb.js';
import type { WandbOptions } from '../wandbOptions.js';

/** What a toy run with the W&B reporter saw. */
export interface ToyWandbRun {
  readonly trainer: Trainer;
  readonly outputDir: string;
  readonly losses: number[];
  /** `metrics` events as the trainer emitted them. */
  readonly metrics: Array<{ step: number; values: Record<string, number>; time: number }>;
  readonly logs: Array<{ level: LogLevel; message: string }>;
  /** Milliseconds from the end of beforeTrain to the start of afterTrain: the training loop alone. */
  readonly loopMs: number;
  /** Milliseconds of the whole `trainer.run()`, shutdown (the final W&B flush) included. */
  readonly totalMs: number;
}

const made: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdxl-wandb-'));
  made.push(dir);
  return dir;
}

/** Remove every folder {@link tempDir} made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs the toy trainer (MLP denoiser, DDPM, cpu) with `wandb(options)` (none when `false`) and records what happened. */
export async function toyWandbRun(options: { wandb: WandbOptions | false; maxTrainSteps?: number; loggingSteps?: number; extraPlugins?: PluginOption[] }): Promise<ToyWandbRun> {
  const outputDir = tempDir();
  const metrics: ToyWandbRun['metrics'] = [];
  const logs: ToyWandbRun['logs'] = [];
  let loopStart = 0;
  let loopEnd = 0;
  const observer: TrainerPlugin = {
    name: 'test:observer',
    apply(t) {
      t.events$.subscribe((event) => {
        if (event.type === 'metrics') metrics.push({ step: event.step, values: { ...event.values }, time: event.time });
        if (event.type === 'log') logs.push({ level: event.level, message: event.message });
      });
      t.hooks.beforeTrain.tap({ name: 'test:observer', stage: Stage.POST }, () => void (loopStart = performance.now()));
      t.hooks.afterTrain.tap({ name: 'test:observer', stage: Stage.PRE }, () => void (loopEnd = performance.now()));
    },
  };
  const started = performance.now();
  const run = await recordRun({
    maxTrainSteps: options.maxTrainSteps ?? 6,
    loggingSteps: options.loggingSteps ?? 1,
    outputDir,
    extraPlugins: [observer, options.wandb === false ? false : wandb(options.wandb), ...(options.extraPlugins ?? [])],
  });
  return { trainer: run.trainer, outputDir, losses: run.losses, metrics, logs, loopMs: loopEnd - loopStart, totalMs: performance.now() - started };
}

/** The one run folder under `<outputDir>/wandb/` (the `latest-run` link aside). */
export function runFolderIn(outputDir: string): string {
  const names = readdirSync(path.join(outputDir, 'wandb')).filter((name) => name !== 'latest-run');
  if (names.length !== 1) throw new Error(`expected one run folder in ${outputDir}/wandb, found ${JSON.stringify(names)}`);
  return path.join(outputDir, 'wandb', names[0] as string);
}

/** Lines of the W&B reporter at warn or error level. */
export function wandbProblems(logs: ToyWandbRun['logs']): string[] {
  return logs.filter((log) => (log.level === 'warn' || log.level === 'error') && log.message.includes('W&B')).map((log) => log.message);
}
