import { describe, expect, it } from 'vitest';
import { imageFileJson, imageListJson, imagePath, mediaKey, type SavedImage } from './imageMedia.js';

const sha = 'ab'.repeat(32);
const saved = (path: string, caption?: string, width = 4): SavedImage => ({ png: new Uint8Array(7), sha256: sha, width, height: 3, path, caption });

describe('W&B image media', () => {
  it('logs tags <key>/<i> as one list under <key>, any other tag as a single image', () => {
    expect(mediaKey('validation/0')).toEqual({ key: 'validation', index: 0 });
    expect(mediaKey('test/12')).toEqual({ key: 'test', index: 12 });
    expect(mediaKey('samples/grid')).toEqual({ key: 'samples/grid', index: undefined });
    expect(mediaKey('7')).toEqual({ key: '7', index: undefined });
  });

  it('names files as wandb\'s _wb_filename: media/images/<key>_<step>_<sha256[:20]>.png, keys made upload-safe', () => {
    expect(imagePath('validation', 40, sha)).toBe(`media/images/validation_40_${sha.slice(0, 20)}.png`);
    expect(imagePath('/samples/grid', 3, sha)).toBe(`media/images/samples/grid_3_${sha.slice(0, 20)}.png`);
    expect(imagePath('a/../b/.', 1, sha)).toBe(`media/images/a/__/b/__1_${sha.slice(0, 20)}.png`);
  });

  it('writes Image.to_json and Image.seq_to_json shapes', () => {
    expect(imageFileJson(saved('media/images/x.png', 'a cat'))).toEqual({ caption: 'a cat', _type: 'image-file', sha256: sha, size: 7, path: 'media/images/x.png', format: 'png', width: 4, height: 3 });
    expect(imageFileJson(saved('media/images/x.png'))).not.toHaveProperty('caption');
    expect(imageListJson([saved('m/a.png', '0: p'), saved('m/b.png', undefined, 5)])).toEqual({
      _type: 'images/separated', width: 4, height: 3, format: 'png', count: 2, filenames: ['m/a.png', 'm/b.png'], captions: ['0: p', null],
    });
    // wandb lists captions only when the first image has one.
    expect(imageListJson([saved('m/a.png'), saved('m/b.png', 'x')])).not.toHaveProperty('captions');
    expect(() => imageListJson([])).toThrow(RangeError);
  });
});
