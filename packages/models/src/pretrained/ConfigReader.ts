import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * Reads typed fields of a model's config.json and keeps track of which fields were read, so {@link finish} can refuse
 * the rest: every field is either understood or an error naming it, never silently ignored. Keys starting with "_"
 * (`_name_or_path`, `_class_name`, `_diffusers_version`, `_commit_hash`, ...) are the libraries' bookkeeping and pass.
 */
export class ConfigReader {
  readonly #raw: Readonly<Record<string, unknown>>;
  readonly #source: string;
  readonly #read = new Set<string>();

  /** `source` names the model class and file in messages, e.g. "CLIPTextModel config text_encoder/config.json". */
  constructor(source: string, raw: unknown) {
    this.#source = source;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new SdxlError(ErrorCode.MODEL_CONFIG_INVALID, `${source}: a config must be a JSON object, got ${describe(raw)}`, { details: { source } });
    }
    this.#raw = raw as Record<string, unknown>;
  }

  /** The raw value (undefined when absent), marking the field as read. */
  value(field: string): unknown {
    this.#read.add(field);
    return Object.hasOwn(this.#raw, field) ? this.#raw[field] : undefined;
  }

  /** An integer ≥ `min` (default when absent). */
  integer(field: string, fallback: number, min = 1): number {
    const value = this.value(field) ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw this.invalid(field, value, `an integer >= ${min}`);
    return value;
  }

  /** An integer or null (default when absent). */
  nullableInteger(field: string, fallback: number | null): number | null {
    const value = this.value(field);
    if (value === undefined) return fallback;
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.invalid(field, value, 'an integer or null');
    return value;
  }

  /** A finite number > `exclusiveMin` (default when absent). */
  positive(field: string, fallback: number, exclusiveMin = 0): number {
    const value = this.value(field) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= exclusiveMin) throw this.invalid(field, value, `a number > ${exclusiveMin}`);
    return value;
  }

  /** true or false (default when absent). */
  boolean(field: string, fallback: boolean): boolean {
    const value = this.value(field) ?? fallback;
    if (typeof value !== 'boolean') throw this.invalid(field, value, 'true or false');
    return value;
  }

  /** A list of integers ≥ `min`, e.g. diffusers' block_out_channels (default when absent). */
  integerList(field: string, fallback: readonly number[], min = 1): number[] {
    const value = this.value(field) ?? fallback;
    if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'number' && Number.isInteger(entry) && entry >= min)) {
      throw this.invalid(field, value, `a list of integers >= ${min}`);
    }
    return [...(value as number[])];
  }

  /** A list of strings, e.g. diffusers' down_block_types (default when absent). */
  stringList(field: string, fallback: readonly string[]): string[] {
    const value = this.value(field) ?? fallback;
    if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) throw this.invalid(field, value, 'a list of strings');
    return [...(value as string[])];
  }

  /** One of `supported`; another string is MODEL_CONFIG_UNSUPPORTED naming the supported ones. */
  oneOf<T extends string>(field: string, fallback: T, supported: readonly T[]): T {
    const value = this.value(field) ?? fallback;
    if (typeof value !== 'string') throw this.invalid(field, value, `one of ${supported.join(', ')}`);
    if (!(supported as readonly string[]).includes(value)) throw this.unsupported(field, value, `supported: ${supported.join(', ')}`);
    return value as T;
  }

  /** A field only supported at `supported` (e.g. output_attentions: false); another value is MODEL_CONFIG_UNSUPPORTED. */
  only(field: string, supported: unknown, hint: string): void {
    const value = this.value(field);
    if (value !== undefined && !sameJson(value, supported)) throw this.unsupported(field, value, hint);
  }

  /** Fields with no effect on this model's numbers (token ids a tokenizer uses, generation settings, version tags). */
  accept(fields: readonly string[]): void {
    for (const field of fields) this.#read.add(field);
  }

  /** Throws MODEL_CONFIG_UNSUPPORTED naming every field nobody read. */
  finish(): void {
    const unknown = Object.keys(this.#raw).filter((key) => !key.startsWith('_') && !this.#read.has(key));
    if (unknown.length === 0) return;
    const first = unknown[0]!;
    throw new SdxlError(
      ErrorCode.MODEL_CONFIG_UNSUPPORTED,
      `${this.#source}: field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `${key} = ${describe(this.#raw[key])}`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not known to @sdxl-trainer/models; remove ${unknown.length > 1 ? 'them' : 'it'} if ${unknown.length > 1 ? 'they do' : 'it does'} not change the model`,
      { details: { source: this.#source, field: first, value: this.#raw[first], fields: unknown } },
    );
  }

  /** MODEL_CONFIG_UNSUPPORTED naming the field, its value and `hint`. */
  unsupported(field: string, value: unknown, hint: string): SdxlError {
    return new SdxlError(ErrorCode.MODEL_CONFIG_UNSUPPORTED, `${this.#source}: ${field} = ${describe(value)} is not supported by @sdxl-trainer/models (${hint})`, {
      details: { source: this.#source, field, value },
    });
  }

  /** MODEL_CONFIG_INVALID naming the field, its value and what was expected. */
  invalid(field: string, value: unknown, expected: string): SdxlError {
    return new SdxlError(ErrorCode.MODEL_CONFIG_INVALID, `${this.#source}: ${field} = ${describe(value)}; expected ${expected}`, {
      details: { source: this.#source, field, value, expected },
    });
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
