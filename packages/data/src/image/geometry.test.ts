import { Rng } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { planAugmentation } from './AugmentationPlan.js';
import { pythonRound } from './pythonRound.js';
import { resizedSize } from './resizedSize.js';

describe('pythonRound', () => {
  it('rounds ties to even like Python 3 round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 10.5, 11.5].map(pythonRound)).toEqual([0, 2, 2, 4, 10, 12]);
    expect([0.49, 0.51, 3.2, 3.7, 7].map(pythonRound)).toEqual([0, 1, 3, 4, 7]);
  });
});

describe('resizedSize (torchvision Resize(int))', () => {
  it('maps the shorter side to the resolution and truncates the longer', () => {
    // int(64 * 400 / 300) = int(85.33) = 85; int(64 * 301 / 200) = int(96.32) = 96
    expect(resizedSize({ height: 300, width: 400 }, 64)).toEqual({ height: 64, width: 85 });
    expect(resizedSize({ height: 301, width: 200 }, 64)).toEqual({ height: 96, width: 64 });
    expect(resizedSize({ height: 50, width: 50 }, 64)).toEqual({ height: 64, width: 64 });
    // why: 1024 * 1537 / 1023 = 1538.50...; an exact product keeps the truncation honest
    expect(resizedSize({ height: 1023, width: 1537 }, 1024)).toEqual({ height: 1024, width: Math.floor((1024 * 1537) / 1023) });
  });
});

describe('planAugmentation (preprocess_train crop bookkeeping)', () => {
  const rng = (): Rng => Rng.fromSeed(42, 'test');

  it('centre crop uses round((size - res) / 2) with ties to even', () => {
    const plan = (height: number, width: number) => planAugmentation({ height, width }, { resolution: 64, centerCrop: true, randomFlip: false }, rng());
    expect(plan(64, 85).cropTopLeft).toEqual([0, 10]); // (85-64)/2 = 10.5 -> 10
    expect(plan(64, 87).cropTopLeft).toEqual([0, 12]); // 11.5 -> 12
    expect(plan(67, 64).cropTopLeft).toEqual([2, 0]); // 1.5 -> 2
    expect(plan(64, 64).cropTopLeft).toEqual([0, 0]);
  });

  it('draws the flip first, then y, then x, as RandomCrop.get_params', () => {
    const reference = rng();
    const flip = reference.random() < 0.5;
    const y = reference.randint(0, 80 - 64 + 1);
    const x = reference.randint(0, 100 - 64 + 1);
    const plan = planAugmentation({ height: 80, width: 100 }, { resolution: 64, centerCrop: false, randomFlip: true }, rng());
    expect(plan).toEqual({ flip, cropTopLeft: [y, x] });
  });

  it('does not draw a flip without --random_flip, and no crop for an exact square', () => {
    const used = rng();
    const plan = planAugmentation({ height: 64, width: 64 }, { resolution: 64, centerCrop: false, randomFlip: false }, used);
    expect(plan).toEqual({ flip: false, cropTopLeft: [0, 0] });
    expect(used.nextUint32()).toBe(rng().nextUint32()); // nothing was consumed
  });

  it('keeps random crops inside the image and reaches both ends', () => {
    const r = rng();
    const ys = new Set<number>();
    const xs = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const { cropTopLeft: [y, x] } = planAugmentation({ height: 67, width: 70 }, { resolution: 64, centerCrop: false, randomFlip: false }, r);
      ys.add(y);
      xs.add(x);
    }
    expect([...ys].sort()).toEqual([0, 1, 2, 3]);
    expect([...xs].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
