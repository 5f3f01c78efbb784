import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidationImage } from '@sdxl-trainer/core';
import { startLocalWandb, type LocalWandb } from '@sdxl-trainer/testing';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, runFolderIn, toyWandbRun, wandbProblems } from './testing/toyWandbRun.js';

let server: LocalWandb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

function image(tag: string, width: number, height: number, channels: number, seed: number, caption?: string): ValidationImage {
  const data = new Uint8Array(width * height * channels).map((_, i) => (i * 37 + seed * 101) % 256);
  return { tag, data, width, height, caption };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function pixels(png: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

describe('wandb() validation images', () => {
  it('uploads PNGs with W&B file names and references them from the step\'s row (a list as images/separated, a single image as image-file)', async () => {
    server = await startLocalWandb();
    const prompt = 'a red square';
    const images = [image('validation/1', 8, 6, 3, 2, `1: ${prompt}`), image('validation/0', 8, 6, 3, 1, `0: ${prompt}`), image('samples/grid', 5, 4, 4, 3)];
    const run = await toyWandbRun({
      maxTrainSteps: 3,
      wandb: { apiKey: server.apiKey, baseUrl: server.url, flushSeconds: 0.05 },
      extraPlugins: [{ name: 'test:images', apply: (t) => t.hooks.afterStep.tap('test:images', ({ step }) => void (step === 2 && t.emit('validation:images', { step, images }))) }],
    });
    expect(wandbProblems(run.logs)).toEqual([]);
    const remote = server.runs[0]!;
    const row = remote.history.find((r) => r['_step'] === 2)!;
    expect(row['train/loss']).toBe(run.metrics.find((m) => m.step === 2)!.values['train/loss']);

    // The list: ordered by the index in the tag, as the script's [wandb.Image(img, caption=f"{i}: {prompt}") for i, img in ...].
    const list = row['validation'] as { filenames: string[] } & Record<string, unknown>;
    expect(list).toMatchObject({ _type: 'images/separated', width: 8, height: 6, format: 'png', count: 2, captions: [`0: ${prompt}`, `1: ${prompt}`] });
    for (const [i, name] of list.filenames.entries()) {
      const bytes = remote.files.get(name)!;
      expect(name).toBe(`media/images/validation_2_${sha256(bytes).slice(0, 20)}.png`);
      const decoded = await pixels(bytes);
      expect(decoded).toEqual({ data: images[1 - i]!.data, width: 8, height: 6, channels: 3 });
    }

    const single = row['samples/grid'] as Record<string, unknown>;
    const bytes = remote.files.get(single['path'] as string)!;
    expect(single).toEqual({ _type: 'image-file', sha256: sha256(bytes), size: bytes.byteLength, path: `media/images/samples/grid_2_${sha256(bytes).slice(0, 20)}.png`, format: 'png', width: 5, height: 4 });
    expect(await pixels(bytes)).toEqual({ data: images[2]!.data, width: 5, height: 4, channels: 4 });

    expect([...remote.files.keys()].sort()).toEqual([...list.filenames, single['path'] as string].sort());
    expect(remote.summary?.['validation']).toEqual(list);
    // The same files are in the run folder.
    const folder = runFolderIn(run.outputDir);
    for (const [name, uploaded] of remote.files) expect(new Uint8Array(readFileSync(path.join(folder, name)))).toEqual(uploaded);
    // Upload URLs are signed: no W&B credentials go with the PUT.
    expect(server.requests.filter((r) => r.operation === 'upload').map((r) => [r.status, r.headers['authorization']])).toEqual([[200, undefined], [200, undefined], [200, undefined]]);
  });

  it('skips an image whose byte count does not match its size, with a warning, and keeps the others', async () => {
    server = await startLocalWandb();
    const bad: ValidationImage = { tag: 'broken', data: new Uint8Array(10), width: 4, height: 4 };
    const run = await toyWandbRun({
      maxTrainSteps: 2,
      wandb: { apiKey: server.apiKey, baseUrl: server.url, flushSeconds: 0.05 },
      extraPlugins: [{ name: 'test:images', apply: (t) => t.hooks.afterStep.tap('test:images', ({ step }) => void (step === 1 && t.emit('validation:images', { step, images: [bad, image('ok', 3, 3, 1, 5)] }))) }],
    });
    expect(wandbProblems(run.logs)).toEqual(['W&B: skipped image "broken" at step 1: an image of 4×4 needs 48 bytes (HWC RGB) or 1, 2 or 4 bytes per pixel; got 10']);
    const row = server.runs[0]!.history[0]!;
    expect(Object.keys(row)).toContain('ok');
    expect(Object.keys(row)).not.toContain('broken');
  });
});
