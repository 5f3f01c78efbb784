import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreOptionsTable, presetOptionsTable, replaceBetween } from './tables.js';

const configDoc = fileURLToPath(new URL('../../docs/config-files.md', import.meta.url));

// why: the option tables in the docs are generated from the code's own tables; `npm run docs -w @sdxl-trainer/tests-docs` rewrites them.
describe('docs/config-files.md', () => {
  it('lists every core option and every SDXL preset option exactly as the code defines them', () => {
    const current = readFileSync(configDoc, 'utf8');
    const expected = replaceBetween(replaceBetween(current, 'core-options', coreOptionsTable()), 'preset-options', presetOptionsTable());
    if (process.env['UPDATE_DOCS']) writeFileSync(configDoc, expected);
    else expect(current).toBe(expected);
  });
});
