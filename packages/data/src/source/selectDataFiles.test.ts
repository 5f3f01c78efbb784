import { isSdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { readmeConfigs } from './readmeConfigs.js';
import { selectDataFiles } from './selectDataFiles.js';

const label = 'org/ds';

describe('selectDataFiles (load_dataset data_files resolution)', () => {
  it('takes the train shards of the sharded layout and ignores other splits and the card', () => {
    const paths = ['README.md', 'data/test-00000-of-00001-aa.parquet', 'data/train-00000-of-00002-bb.parquet', 'data/train-00001-of-00002-cc.parquet', '.gitattributes'];
    expect(selectDataFiles({ paths, label })).toEqual({ config: 'default', files: ['data/train-00000-of-00002-bb.parquet', 'data/train-00001-of-00002-cc.parquet'] });
  });

  it('falls back to a train folder, then train in the file name, then every file', () => {
    expect(selectDataFiles({ paths: ['train/a.parquet', 'validation/b.parquet'], label }).files).toEqual(['train/a.parquet']);
    expect(selectDataFiles({ paths: ['my_train.parquet', 'my_test.parquet'], label }).files).toEqual(['my_train.parquet']);
    expect(selectDataFiles({ paths: ['README.md', 'x.parquet', 'y.parquet'], label }).files).toEqual(['x.parquet', 'y.parquet']);
  });

  it('refuses a dataset whose splits do not include train', () => {
    try {
      selectDataFiles({ paths: ['data/test-00000-of-00001.parquet'], label });
      expect.unreachable();
    } catch (error) {
      expect(isSdxlError(error) && error.code).toBe('DATA_FILES_NOT_FOUND');
      expect((error as Error).message).toMatch(/no "train" split \(found test\)/);
    }
  });

  it('follows the card configs: named, default, and unknown names', () => {
    const cards = readmeConfigs(
      ['---', 'configs:', '- config_name: a', '  data_files:', '  - split: train', '    path: a/train-*', '- config_name: b', '  default: true', '  data_files: b/*.parquet', '---'].join('\n'),
    );
    const paths = ['a/train-0.parquet', 'a/test-0.parquet', 'b/x.parquet', 'b/y.parquet'];
    expect(selectDataFiles({ paths, cardConfigs: cards, configName: 'a', label })).toEqual({ config: 'a', files: ['a/train-0.parquet'] });
    expect(selectDataFiles({ paths, cardConfigs: cards, label })).toEqual({ config: 'b', files: ['b/x.parquet', 'b/y.parquet'] });
    expect(() => selectDataFiles({ paths, cardConfigs: cards, configName: 'zz', label })).toThrow(/no config "zz" \(available: a, b\)/);
  });

  it('reads a config folder when the card declares no configs (the parquet export layout)', () => {
    const paths = ['plain/train/0000.parquet', 'plain/test/0000.parquet', 'fancy/train/0000.parquet'];
    expect(selectDataFiles({ paths, configName: 'fancy', label })).toEqual({ config: 'fancy', files: ['fancy/train/0000.parquet'] });
    expect(() => selectDataFiles({ paths, configName: 'nope', label })).toThrow(/available: default, folders fancy, plain/);
  });

  it('restricts to data_dir (--train_data_dir given with --dataset_name)', () => {
    const paths = ['one/data/train-00000-of-00001.parquet', 'two/data/train-00000-of-00001.parquet'];
    expect(selectDataFiles({ paths, dataDir: 'two', label }).files).toEqual(['two/data/train-00000-of-00001.parquet']);
  });
});
