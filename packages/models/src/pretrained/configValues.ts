import type { ConfigReader } from './ConfigReader.js';

/** Readers for the union-typed fields of diffusers configs (`int | list`, `float | null`, ...), on top of ConfigReader. */
export const configValues = Object.freeze({
  /** An integer ≥ `min` or a list of them (e.g. `layers_per_block`, `attention_head_dim`); the form is kept. */
  integerOrList(reader: ConfigReader, field: string, fallback: number | readonly number[], min = 1): number | number[] {
    const value = reader.value(field) ?? fallback;
    if (isInteger(value, min)) return value;
    if (Array.isArray(value) && value.length > 0 && value.every((entry) => isInteger(entry, min))) return [...(value as number[])];
    throw reader.invalid(field, value, `an integer >= ${min} or a non-empty list of them`);
  },

  /** Any finite number (default when absent). */
  number(reader: ConfigReader, field: string, fallback: number): number {
    const value = reader.value(field) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw reader.invalid(field, value, 'a number');
    return value;
  },

  /** A finite number or null (default when absent). */
  nullableNumber(reader: ConfigReader, field: string, fallback: number | null): number | null {
    const value = reader.value(field);
    if (value === undefined) return fallback;
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw reader.invalid(field, value, 'a number or null');
    return value;
  },

  /** A string or null (default when absent). */
  nullableString(reader: ConfigReader, field: string, fallback: string | null): string | null {
    const value = reader.value(field);
    if (value === undefined) return fallback;
    if (value === null || typeof value === 'string') return value;
    throw reader.invalid(field, value, 'a string or null');
  },

  /** true, false or null (default when absent); diffusers reads null as false. */
  nullableBoolean(reader: ConfigReader, field: string, fallback: boolean | null): boolean | null {
    const value = reader.value(field);
    if (value === undefined) return fallback;
    if (value === null || typeof value === 'boolean') return value;
    throw reader.invalid(field, value, 'true, false or null');
  },

  /** A list of finite numbers or null (e.g. `latents_mean`). */
  nullableNumberList(reader: ConfigReader, field: string): number[] | null {
    const value = reader.value(field);
    if (value === undefined || value === null) return null;
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'number' && Number.isFinite(entry))) return [...(value as number[])];
    throw reader.invalid(field, value, 'a list of numbers or null');
  },
});

function isInteger(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}
