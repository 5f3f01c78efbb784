import { ErrorCode } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import validation from './index.js';
import { imageSize, parseValidationOptions } from './validationOptions.js';

describe('validation options', () => {
  it("fills the SDXL script's defaults: 4 images, 25 steps, guidance 5, final test, components kept", () => {
    expect(parseValidationOptions('v', { prompt: 'a cat' })).toEqual({
      prompt: 'a cat',
      numImages: 4,
      numInferenceSteps: 25,
      guidanceScale: 5,
      finalTest: true,
      keepComponentsLoaded: true,
    });
  });

  it('refuses bad options naming the option, its flag, the value and what was expected', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /prompt \(--validation_prompt\): got nothing; expected a non-empty prompt/],
      [{ prompt: '' }, /prompt \(--validation_prompt\): got "" \(a string\); expected a non-empty prompt/],
      [{ prompt: 'x', numImages: 0 }, /numImages \(--num_validation_images\): got 0; expected a positive integer/],
      [{ prompt: 'x', numImages: 1.5 }, /numImages \(--num_validation_images\): got 1\.5/],
      [{ prompt: 'x', numInferenceSteps: 0 }, /numInferenceSteps: got 0; expected a positive integer/],
      [{ prompt: 'x', guidanceScale: Number.NaN }, /guidanceScale: got NaN; expected a finite number/],
      [{ prompt: 'x', guidanceScale: Number.POSITIVE_INFINITY }, /guidanceScale: got Infinity/],
      [{ prompt: 'x', seed: -1 }, /seed \(--seed\): got -1; expected a non-negative safe integer/],
      [{ prompt: 'x', seed: Number.MAX_SAFE_INTEGER }, /seed \(--seed\): got 9007199254740991; expected at most 9007199254740988 \(seed \+ numImages - 1 must be a safe integer\)/],
      [{ prompt: 'x', resolution: 100 }, /resolution \(--resolution\): got 100; expected a positive multiple of 8/],
      [{ prompt: 'x', resolution: { width: 64 } }, /resolution \(--resolution\): got \{"width":64\}; expected a positive multiple of 8, or \{ width, height \}/],
      [{ prompt: 'x', resolution: { width: 64, height: 60 } }, /resolution.height \(--resolution\): got 60; expected a positive multiple of 8/],
      [{ prompt: 'x', imagesDir: '' }, /imagesDir: got ""/],
      [{ prompt: 'x', finalTest: 'yes' }, /finalTest: got "yes" \(a string\); expected true or false/],
      [{ prompt: 'x', attentionChunkSize: 0 }, /attentionChunkSize \(--enable_xformers_memory_efficient_attention\): got 0/],
      [{ prompt: 'x', numImage: 2 }, /unknown option "numImage"; did you mean "numImages"\?/],
      [{ prompt: 'x', validationPrompt: 'y' }, /unknown option "validationPrompt"; known options: prompt, numImages, /],
    ];
    for (const [options, message] of cases) {
      expect(() => validation(options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: expect.stringMatching(message) }));
    }
  });

  it('names every problem at once', () => {
    expect(() => validation({ prompt: '', numImages: -2 })).toThrow(/invalid config \(2 problems\)/);
  });

  it('turns a resolution into width and height', () => {
    expect(imageSize(undefined)).toEqual({});
    expect(imageSize(64)).toEqual({ width: 64, height: 64 });
    expect(imageSize({ width: 48, height: 64 })).toEqual({ width: 48, height: 64 });
  });
});
