import { Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { recordRun } from '@sdxl-trainer/tests-toy';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tensorboard from './tensorboard.js';
import { readEventFile, type DecodedEvent } from './testing/readEventFile.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tensorboard-runs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function eventsIn(logDir: string): Promise<DecodedEvent[]> {
  const files = await readdir(logDir);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^events\.out\.tfevents\.\d+\./);
  return readEventFile(await readFile(join(logDir, files[0]!)));
}

const scalarsOf = (events: DecodedEvent[], tag: string) =>
  events.flatMap((e) => e.values.filter((v) => v.tag === tag && v.simpleValue !== undefined).map((v) => [e.step, v.simpleValue!] as const));

const logLines = (lines: { level: string; message: string }[]): TrainerPlugin => ({
  name: 'test:logs',
  apply: (t) => void t.events$.subscribe((e) => e.type === 'log' && lines.push({ level: e.level, message: e.message })),
});

/** Emit a validation-images event from afterStep at `step`. */
const emitImages = (step: number, images: { tag: string; data: Uint8Array; width: number; height: number }[]): TrainerPlugin => ({
  name: 'test:validation',
  apply: (t) => t.hooks.afterStep.tap({ name: 'test:validation', stage: Stage.POST }, (r) => void (r.step === step && t.emit('validation:images', { step, images }))),
});

describe('tensorboard plugin', () => {
  it('validates its options', () => {
    expect(() => tensorboard({ flushSeconds: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: expect.stringContaining('flushSeconds: got 0; expected a positive number of seconds') }));
  });

  it('writes one train/loss scalar per logged step into <outputDir>/logs', async () => {
    const outputDir = join(root, 'scalars');
    const run = await recordRun({ outputDir, maxTrainSteps: 5, loggingSteps: 2, extraPlugins: [tensorboard()] });
    const events = await eventsIn(join(outputDir, 'logs'));
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    // logged steps: every 2nd and the last (core's default flow)
    expect(scalarsOf(events, 'train/loss')).toEqual([2, 4, 5].map((step) => [step, Math.fround(run.losses[step - 1]!)]));
    expect(scalarsOf(events, 'train/lr').map(([step]) => step)).toEqual([2, 4, 5]);
    expect(scalarsOf(events, 'train/step_loss')).toHaveLength(3);
  });

  it('writes validation images as PNGs that decode to the original pixels, skipping a malformed one', async () => {
    const logDir = join(root, 'images');
    const red = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i % 3 === 0 ? 255 : i * 7));
    const gradient = Uint8Array.from({ length: 6 * 2 * 3 }, (_, i) => i * 5);
    const lines: { level: string; message: string }[] = [];
    await recordRun({
      outputDir: join(root, 'unused'),
      maxTrainSteps: 3,
      extraPlugins: [
        tensorboard({ logDir }),
        logLines(lines),
        emitImages(2, [
          { tag: 'validation/0', data: red, width: 4, height: 3 },
          { tag: 'validation/broken', data: new Uint8Array(5), width: 4, height: 3 },
          { tag: 'validation/1', data: gradient, width: 6, height: 2 },
        ]),
      ],
    });
    const images = (await eventsIn(logDir)).flatMap((e) => e.values.filter((v) => v.image).map((v) => ({ step: e.step, ...v })));
    expect(images.map((v) => [v.step, v.tag, v.image!.width, v.image!.height, v.image!.colorspace])).toEqual([
      [2, 'validation/0', 4, 3, 3],
      [2, 'validation/1', 6, 2, 3],
    ]);
    expect(new Uint8Array(await sharp(images[0]!.image!.png).raw().toBuffer())).toEqual(red);
    expect(new Uint8Array(await sharp(images[1]!.image!.png).raw().toBuffer())).toEqual(gradient);
    expect(lines).toContainEqual({ level: 'warn', message: expect.stringContaining('skipped image "validation/broken" at step 2') });
  });

  it('flushes every flushSeconds while the run goes on', async () => {
    const logDir = join(root, 'flush');
    let seenDuringRun: number[] = [];
    const slowStep: TrainerPlugin = {
      name: 'test:slow',
      apply: (t) =>
        t.hooks.afterStep.tapPromise({ name: 'test:slow', stage: Stage.POST }, async ({ step }) => {
          if (step === 2) await new Promise((resolve) => setTimeout(resolve, 300));
          if (step === 3) seenDuringRun = scalarsOf(readEventFile(await readFile(join(logDir, (await readdir(logDir))[0]!))), 'train/loss').map(([s]) => s);
        }),
    };
    await recordRun({ outputDir: join(root, 'unused'), maxTrainSteps: 4, extraPlugins: [tensorboard({ logDir, flushSeconds: 0.05 }), slowStep] });
    expect(seenDuringRun).toContain(1); // step 1 was on disk before the run ended
    expect(scalarsOf(await eventsIn(logDir), 'train/loss').map(([s]) => s)).toEqual([1, 2, 3, 4]);
  });

  it('logs a write error once and lets the run finish', async () => {
    const blocker = join(root, 'a-file');
    await writeFile(blocker, 'not a folder');
    const lines: { level: string; message: string }[] = [];
    const run = await recordRun({ outputDir: join(root, 'unused'), maxTrainSteps: 3, extraPlugins: [tensorboard({ logDir: join(blocker, 'logs') }), logLines(lines)] });
    expect(run.trainer.state.globalStep).toBe(3);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^TensorBoard logging to .*a-file\/logs failed, no more TensorBoard records will be written this run: .*(ENOTDIR|EEXIST)/);
  });
});
