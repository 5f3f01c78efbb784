import { describe, expect, it } from 'vitest';
import { parseArgs, usage } from './parseArgs.js';

describe('parseArgs', () => {
  it('leaves unset flags undefined, so prompts ask for them', () => {
    expect(parseArgs([])).toEqual({
      targetDir: undefined,
      template: undefined,
      overwrite: undefined,
      interactive: undefined,
      install: undefined,
      packageManager: undefined,
      sdxlTrainerVersion: undefined,
      link: undefined,
      help: false,
      version: false,
    });
  });

  it('reads the folder and every flag, negations included', () => {
    const args = parseArgs(['my-run', '-t', 'plugin', '--overwrite', '--no-interactive', '--no-install', '--package-manager', 'pnpm', '--link', '../sdxl-trainer']);
    expect(args).toMatchObject({ targetDir: 'my-run', template: 'plugin', overwrite: true, interactive: false, install: false, packageManager: 'pnpm', link: '../sdxl-trainer' });
    expect(parseArgs(['--interactive', '--install', '--sdxl-trainer-version', '^0.2.0'])).toMatchObject({ interactive: true, install: true, sdxlTrainerVersion: '^0.2.0' });
  });

  it.each([
    [['--template', 'huge'], 'SCAFFOLD_TEMPLATE_UNKNOWN', '--template "huge": expected one of default, minimal, plugin'],
    [['--package-manager', 'bun'], 'SCAFFOLD_USAGE', '--package-manager "bun": expected one of npm, pnpm, yarn'],
    [['a', 'b'], 'SCAFFOLD_USAGE', 'expected at most one target folder, got 2: a b'],
    [['--colour'], 'SCAFFOLD_USAGE', "Unknown option '--colour'"],
    [['--template'], 'SCAFFOLD_USAGE', "Option '-t, --template <value>' argument missing"],
    [['--link', '.', '--sdxl-trainer-version', '1'], 'SCAFFOLD_USAGE', 'pass one of them'],
  ])('%j fails with %s', (argv, code, message) => {
    expect(() => parseArgs(argv)).toThrow(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });

  it('usage names every template and flag', () => {
    const text = usage('1.2.3');
    expect(text).toContain('create-sdxl-trainer 1.2.3');
    for (const word of ['default', 'minimal', 'plugin', '--template', '--overwrite', '--no-interactive', '--install', '--package-manager', '--sdxl-trainer-version', '--link']) expect(text).toContain(word);
  });
});
