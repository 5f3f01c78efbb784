import { describe, expect, it } from 'vitest';
import { filterPaths, fnmatch } from './fnmatch.js';

// Expected values follow the rules documented for Python's fnmatch.fnmatchcase (docs.python.org/3/library/fnmatch):
// `*` is any run of characters (a `/` too), `?` one character, `[seq]`/`[!seq]` sets, `]` first in a set is literal,
// an unclosed `[` is literal, everything else literal and case-sensitive, and the whole name must match.
describe('fnmatch (Python fnmatchcase semantics)', () => {
  it.each([
    ['unet/config.json', '*.json', true],
    ['unet/config.json', '*/config.json', true],
    ['config.json', '*/config.json', false],
    ['a/b/c.safetensors', 'a/*', true],
    ['ab', 'a?', true],
    ['abc', 'a?', false],
    ['xbc', '[!a]bc', true],
    ['abc', '[!a]bc', false],
    ['bx', '[a-c]x', true],
    ['dx', '[a-c]x', false],
    [']', '[]]', true],
    ['a]', 'a[]]', true],
    ['a[', 'a[', true],
    ['A.JSON', '*.json', false],
    ['axjson', 'a.json', false],
    ['a+b(c)', 'a+b(c)', true],
    ['line\nbreak.txt', '*.txt', true],
  ])('%j against %j is %s', (name, pattern, expected) => {
    expect(fnmatch(name, pattern)).toBe(expected);
  });
});

describe('filterPaths (huggingface_hub filter_repo_objects)', () => {
  const paths = ['model_index.json', 'unet/config.json', 'unet/w.safetensors', 'vae/w.safetensors', 'README.md'];
  it('keeps allowed paths and drops ignored ones', () => {
    expect(filterPaths(paths, ['*.json'], undefined)).toEqual(['model_index.json', 'unet/config.json']);
    expect(filterPaths(paths, undefined, ['*.safetensors', 'README.md'])).toEqual(['model_index.json', 'unet/config.json']);
    expect(filterPaths(paths, ['unet/*'], ['*.json'])).toEqual(['unet/w.safetensors']);
  });
  it('reads a trailing slash as the whole folder', () => {
    expect(filterPaths(paths, ['unet/'], undefined)).toEqual(['unet/config.json', 'unet/w.safetensors']);
    expect(filterPaths(paths, undefined, ['unet/'])).toEqual(['model_index.json', 'vae/w.safetensors', 'README.md']);
  });
});
