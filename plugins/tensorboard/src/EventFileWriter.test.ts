import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from './encodePng.js';
import { EventFileWriter } from './EventFileWriter.js';
import { readEventFile } from './testing/readEventFile.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfevents-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A deterministic RGB test pattern, HWC. */
function pattern(width: number, height: number, channels = 3): Uint8Array {
  return Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + (i >> 5)) % 256);
}

describe('EventFileWriter', () => {
  it('writes a file TensorBoard reads: named events.out.tfevents.<unix>.<host>.<pid>.<n>, version record first', async () => {
    const before = Math.floor(Date.now() / 1000);
    const writer = await EventFileWriter.create(join(dir, 'logs'));
    await writer.close();
    const [name] = await readdir(join(dir, 'logs'));
    const match = /^events\.out\.tfevents\.(\d+)\.(.+)\.(\d+)\.(\d+)$/.exec(name!);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(before);
    expect([match![2], Number(match![3])]).toEqual([hostname(), process.pid]);
    const events = readEventFile(await readFile(writer.path));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0, values: [] });
    expect(Math.abs(events[0]!.wallTime - Date.now() / 1000)).toBeLessThan(60);
  });

  it('round-trips scalars and images through an independent TFRecord + protobuf reader', async () => {
    const writer = await EventFileWriter.create(dir);
    const scalars: [string, number, number][] = [
      ['train/loss', 0.123456789, 1],
      ['train/lr', 1e-4, 2],
      ['train/loss', -3.5, 0],
      ['train/loss', 0, 3_000_000_000], // a step beyond 2^31 (varint arithmetic)
      ['ümlaut/tag', 1e30, 127],
    ];
    for (const [tag, value, step] of scalars) writer.addScalar(tag, value, step, 1_700_000_000.25);
    const rgb = pattern(5, 3);
    const rgba = pattern(2, 4, 4);
    writer.addImage('validation/0', await encodePng({ data: rgb, width: 5, height: 3 }), 7, 1_700_000_001.5);
    writer.addSummary(
      [
        { tag: 'a', scalar: 1 },
        { tag: 'validation/1', image: await encodePng({ data: rgba, width: 2, height: 4 }) },
      ],
      8,
    );
    await writer.close();

    const events = readEventFile(await readFile(writer.path)).slice(1);
    expect(events).toHaveLength(scalars.length + 2);
    scalars.forEach(([tag, value, step], i) => {
      expect(events[i]).toMatchObject({ wallTime: 1_700_000_000.25, step, values: [{ tag, simpleValue: Math.fround(value) }] });
    });
    const image = events[scalars.length]!;
    expect(image.step).toBe(7);
    expect(image.wallTime).toBe(1_700_000_001.5);
    expect(image.values[0]).toMatchObject({ tag: 'validation/0', image: { height: 3, width: 5, colorspace: 3 } });
    const decoded = await sharp(image.values[0]!.image!.png).raw().toBuffer({ resolveWithObject: true });
    expect(decoded.info).toMatchObject({ width: 5, height: 3, channels: 3 });
    expect(new Uint8Array(decoded.data)).toEqual(rgb);

    const both = events[scalars.length + 1]!;
    expect(both.values.map((v) => v.tag)).toEqual(['a', 'validation/1']);
    expect(both.values[1]!.image).toMatchObject({ height: 4, width: 2, colorspace: 4 });
    expect(new Uint8Array(await sharp(both.values[1]!.image!.png).raw().toBuffer())).toEqual(rgba);
  });

  it('keeps records in memory until flush, which appends them', async () => {
    const writer = await EventFileWriter.create(dir);
    writer.addScalar('x', 1, 1);
    expect(readEventFile(await readFile(writer.path))).toHaveLength(1);
    expect(writer.pendingBytes).toBeGreaterThan(0);
    await writer.flush();
    writer.addScalar('x', 2, 2);
    await writer.flush();
    expect(readEventFile(await readFile(writer.path)).map((e) => e.step)).toEqual([0, 1, 2]);
    await writer.close();
  });

  it('refuses an image whose size does not match its bytes', async () => {
    await expect(encodePng({ data: new Uint8Array(10), width: 2, height: 2 })).rejects.toThrow(/2×2 needs 12 bytes/);
  });
});
