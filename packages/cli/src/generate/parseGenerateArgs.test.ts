import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { GENERATE_OPTIONS, generateUsage } from './generateUsage.js';
import { parseGenerateArgs } from './parseGenerateArgs.js';

const base = ['--model', 'org/name', '--prompt', 'a red circle'];

describe('parseGenerateArgs', () => {
  it('reads every option, with the documented defaults', () => {
    expect(parseGenerateArgs(base)).toMatchObject({ model: 'org/name', prompt: 'a red circle', guidanceScale: 5, steps: 50, seed: undefined, numImages: 1, out: 'generated', backend: 'auto' });
    const all = parseGenerateArgs([
      ...['-m', './folder', '-p', 'x', '-n', 'blurry', '--guidance-scale', '7.5', '--steps', '30', '--seed', '0', '--width', '768', '--height', '1024'],
      ...['--num-images', '3', '-o', 'shots', '--backend', 'wasm', '--threads', '1', '--variant', 'fp16', '--revision', 'v1'],
    ]);
    expect(all).toEqual({
      help: false,
      version: false,
      model: './folder',
      prompt: 'x',
      negativePrompt: 'blurry',
      guidanceScale: 7.5,
      steps: 30,
      seed: 0,
      width: 768,
      height: 1024,
      numImages: 3,
      out: 'shots',
      backend: 'wasm',
      threads: 1,
      variant: 'fp16',
      revision: 'v1',
    });
    expect(parseGenerateArgs(['--prompt', '', '--model', 'm']).prompt).toBe('');
  });

  it('needs --model and --prompt unless asking for help or the version', () => {
    expect(parseGenerateArgs(['--help']).help).toBe(true);
    expect(parseGenerateArgs(['--version']).version).toBe(true);
    expect(() => parseGenerateArgs(['--prompt', 'x'])).toThrow('--model <folder|hub id> is required');
    expect(() => parseGenerateArgs(['--model', 'm'])).toThrow('--prompt <text> is required');
  });

  it('refuses bad numbers, backends, unknown flags (with a suggestion) and stray words, as CLI_USAGE', () => {
    const cases: [string[], string][] = [
      [['--steps', '0'], '--steps must be an integer from 1 to 1000, got "0"'],
      [['--steps', '2.5'], '--steps must be an integer from 1 to 1000, got "2.5"'],
      [['--width', '50'], '--width must be a positive multiple of 8, got "50"'],
      [['--height=-64'], '--height must be a positive multiple of 8, got "-64"'],
      [['--seed', 'abc'], '--seed must be an integer from 0 to 4294967296, got "abc"'],
      [['--num-images', '0'], '--num-images must be a positive integer, got "0"'],
      [['--threads', '16'], '--threads must be an integer from 1 to 8, got "16"'],
      [['--guidance-scale', 'lots'], '--guidance-scale must be a number, got "lots"'],
      [['--backend', 'gpu'], '--backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu, got "gpu"'],
      [['--promt', 'x'], 'unknown option --promt; did you mean --prompt?'],
      [['--negative_prompt', 'x'], 'unknown option --negative_prompt; did you mean --negative-prompt?'],
      [['red'], 'unexpected argument "red"'],
    ];
    for (const [extra, message] of cases) {
      expect(() => parseGenerateArgs([...base, ...extra]), extra.join(' ')).toThrow(message);
    }
    expect(() => parseGenerateArgs([...base, '--steps', 'x'])).toThrow(expect.objectContaining({ code: ErrorCode.CLI_USAGE }));
  });

  it('documents every option in the help text', () => {
    const help = generateUsage('1.2.3');
    expect(help).toContain('sdxl-generate 1.2.3');
    for (const name of Object.keys(GENERATE_OPTIONS)) expect(help).toContain(`--${name}`);
  });
});
