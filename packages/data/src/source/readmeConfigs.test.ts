import { describe, expect, it } from 'vitest';
import { globToRegExp } from './globToRegExp.js';
import { parseYamlBlock } from './parseYamlBlock.js';
import { readmeConfigs } from './readmeConfigs.js';

describe('readmeConfigs (dataset card configs:)', () => {
  it('reads what push_to_hub writes, ignoring the rest of the card', () => {
    const card = [
      '---',
      'license: mit',
      'dataset_info:',
      '  features:',
      '  - name: image',
      '    dtype: image',
      '  - name: text',
      '    dtype: string',
      'configs:',
      '- config_name: default',
      '  data_files:',
      '  - split: train',
      '    path: data/train-*',
      '  - split: test',
      '    path: data/test-*',
      '- config_name: small  # a comment',
      '  data_dir: small/',
      '  data_files: "part-*.parquet"',
      '- config_name: big',
      '  default: true',
      '  data_files:',
      '    - split: train',
      '      path: [big/a-*, "big/b-*"]',
      '---',
      '# Card',
    ].join('\n');
    expect(readmeConfigs(card)).toEqual([
      { name: 'default', isDefault: false, dataDir: '', dataFiles: { train: ['data/train-*'], test: ['data/test-*'] } },
      { name: 'small', isDefault: false, dataDir: 'small', dataFiles: { train: ['part-*.parquet'] } },
      { name: 'big', isDefault: true, dataDir: '', dataFiles: { train: ['big/a-*', 'big/b-*'] } },
    ]);
  });

  it('is undefined without front matter or without configs', () => {
    expect(readmeConfigs('# just a title')).toBeUndefined();
    expect(readmeConfigs('---\nlicense: mit\n---\n')).toBeUndefined();
  });

  it('parses nested YAML and refuses what it does not support', () => {
    expect(parseYamlBlock("a:\n  b: 1\n  c: 'it''s'\nd:\n- x\n- [1, true, null]")).toEqual({ a: { b: 1, c: "it's" }, d: ['x', [1, true, null]] });
    expect(() => parseYamlBlock('a: &anchor 1')).toThrow(/line 1/);
  });
});

describe('globToRegExp (fsspec data_files patterns)', () => {
  it('keeps * inside a folder and lets ** span folders', () => {
    expect(globToRegExp('data/train-*').test('data/train-00000-of-00001.parquet')).toBe(true);
    expect(globToRegExp('data/train-*').test('data/x/train-0.parquet')).toBe(false);
    expect(globToRegExp('**/train/**').test('train/a.parquet')).toBe(true);
    expect(globToRegExp('**/train/**').test('x/y/train/z/a.parquet')).toBe(true);
    expect(globToRegExp('**/train[-._ 0-9]*').test('data/train-0.parquet')).toBe(true);
    expect(globToRegExp('**/train[-._ 0-9]*').test('data/trainee.parquet')).toBe(false);
    expect(globToRegExp('[!a]?.txt').test('b1.txt')).toBe(true);
  });
});
