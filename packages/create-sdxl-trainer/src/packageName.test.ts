import { describe, expect, it } from 'vitest';
import { isValidPackageName, toValidPackageName } from './packageName.js';

describe('isValidPackageName', () => {
  // The examples of validate-npm-package-name's README, for new packages.
  it.each(['some-package', 'example.com', 'under_score', 'period.js', '123numeric', '@npm/thingy', '@jane/foo.js'])('accepts %s', (name) => {
    expect(isValidPackageName(name)).toBe(true);
  });
  it.each(['', ' leading-space', 'trailing-space ', 's/l/a/s/h/e/s', '.start-with-period', '_start-with-underscore', 'contain:colons', 'CAPITAL-LETTERS', 'crazy!', 'node_modules', 'favicon.ico', 'a'.repeat(215)])(
    'refuses %j',
    (name) => {
      expect(isValidPackageName(name)).toBe(false);
    },
  );
});

describe('toValidPackageName', () => {
  it('makes a folder name into a package name', () => {
    expect(toValidPackageName('My SDXL Project')).toBe('my-sdxl-project');
    expect(toValidPackageName('  .hidden__thing!! ')).toBe('hidden-thing');
    expect(toValidPackageName('???')).toBe('sdxl-trainer-project');
  });
  it.each(['My SDXL Project', '.x', '_y', 'Ünïcödé naмe', 'a/b', '@scope', 'x'.repeat(300), 'node_modules'])('always gives a valid name for %j', (input) => {
    expect(isValidPackageName(toValidPackageName(input))).toBe(true);
  });
});
