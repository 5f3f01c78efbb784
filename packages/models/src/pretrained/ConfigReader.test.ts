import { isSdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { ConfigReader } from './ConfigReader.js';

function refused(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    expect(isSdxlError(error), String(error)).toBe(true);
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

describe('ConfigReader', () => {
  const raw = {
    _class_name: 'UNet2DConditionModel',
    _diffusers_version: '0.27.2',
    block_out_channels: [320, 640, 1280],
    down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D'],
    center_input_sample: false,
    norm_eps: 1e-5,
    sample_size: 128,
  };

  it('reads typed fields with defaults and passes "_" bookkeeping keys', () => {
    const reader = new ConfigReader('UNet2DConditionModel config unet/config.json', raw);
    expect(reader.integerList('block_out_channels', [])).toEqual([320, 640, 1280]);
    expect(reader.stringList('down_block_types', [])).toEqual(['DownBlock2D', 'CrossAttnDownBlock2D']);
    expect(reader.boolean('center_input_sample', true)).toBe(false);
    expect(reader.positive('norm_eps', 1e-6)).toBe(1e-5);
    expect(reader.integer('sample_size', 64)).toBe(128);
    expect(reader.integer('in_channels', 4)).toBe(4);
    expect(reader.nullableInteger('cross_attention_dim', null)).toBeNull();
    expect(() => reader.finish()).not.toThrow();
  });

  it('finish() names every field nobody read', () => {
    const reader = new ConfigReader('M config c.json', { ...raw, upcast_attention: true, foo: 1 });
    reader.accept(['block_out_channels', 'down_block_types', 'center_input_sample', 'norm_eps', 'sample_size']);
    const error = refused(() => reader.finish());
    expect(error.code).toBe('MODEL_CONFIG_UNSUPPORTED');
    expect(error.message).toContain('c.json');
    expect(error.message).toContain('upcast_attention = true');
    expect(error.message).toContain('foo = 1');
    expect(error.details.fields).toEqual(['upcast_attention', 'foo']);
  });

  it('tells malformed values (MODEL_CONFIG_INVALID) from unsupported ones (MODEL_CONFIG_UNSUPPORTED)', () => {
    const reader = new ConfigReader('M config', { a: [1, -2], b: 'x', c: 'exotic', d: true, e: 'yes' });
    expect(refused(() => reader.integerList('a', [])).code).toBe('MODEL_CONFIG_INVALID');
    expect(refused(() => reader.stringList('b', [])).code).toBe('MODEL_CONFIG_INVALID');
    expect(refused(() => reader.oneOf('c', 'plain', ['plain'])).code).toBe('MODEL_CONFIG_UNSUPPORTED');
    expect(refused(() => reader.only('d', false, 'not implemented')).message).toContain('d = true');
    expect(refused(() => reader.boolean('e', false)).code).toBe('MODEL_CONFIG_INVALID');
    expect(refused(() => new ConfigReader('M config', 'text')).code).toBe('MODEL_CONFIG_INVALID');
  });
});
