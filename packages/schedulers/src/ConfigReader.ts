import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** Reads typed fields of a diffusers scheduler config, throwing errors that name the scheduler, field and value. */
export class ConfigReader {
  readonly #raw: Readonly<Record<string, unknown>>;
  readonly #className: string;

  constructor(className: string, raw: unknown) {
    this.#className = className;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new SdxlError(ErrorCode.SCHEDULER_CONFIG_INVALID, `${className}: the scheduler config must be a JSON object, got ${describe(raw)}`);
    }
    this.#raw = raw as Record<string, unknown>;
  }

  /** Config keys that belong to neither this scheduler nor diffusers' private `_...` bookkeeping. */
  unknownKeys(known: readonly string[]): string[] {
    return Object.keys(this.#raw).filter((key) => !key.startsWith('_') && !known.includes(key));
  }

  /** A finite number (default when absent). */
  number(field: string, fallback: number): number {
    const value = this.#value(field);
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid(field, value, 'a finite number');
    return value;
  }

  /** A finite number or null (default when absent). */
  nullableNumber(field: string): number | null {
    const value = this.#value(field);
    if (value === undefined || value === null) return null;
    return this.number(field, 0);
  }

  /** An integer no smaller than `min`. */
  integer(field: string, fallback: number, min: number): number {
    const value = this.number(field, fallback);
    if (!Number.isInteger(value) || value < min) throw this.invalid(field, value, `an integer >= ${min}`);
    return value;
  }

  /** A boolean; null counts as false, as in Python. */
  boolean(field: string, fallback: boolean): boolean {
    const value = this.#value(field);
    if (value === undefined) return fallback;
    if (value === null) return false;
    if (typeof value !== 'boolean') throw this.invalid(field, value, 'true or false');
    return value;
  }

  /** A string; diffusers' value set is checked by {@link oneOf}. */
  string(field: string, fallback: string): string {
    const value = this.#value(field);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw this.invalid(field, value, 'a string');
    return value;
  }

  /**
   * One of `supported`. A value diffusers knows but this package does not implement (`unsupported`) is a
   * SCHEDULER_CONFIG_UNSUPPORTED error; anything else is SCHEDULER_CONFIG_INVALID.
   */
  oneOf<T extends string>(field: string, fallback: T, supported: readonly T[], unsupported: readonly string[] = []): T {
    const value = this.string(field, fallback);
    if ((supported as readonly string[]).includes(value)) return value as T;
    if (unsupported.includes(value)) throw this.unsupported(field, value, `supported values are ${supported.join(', ')}`);
    throw this.invalid(field, value, `one of ${[...supported, ...unsupported].join(', ')}`);
  }

  /** An array of finite numbers, or null. */
  numberArray(field: string): number[] | null {
    const value = this.#value(field);
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'number' && Number.isFinite(entry))) {
      throw this.invalid(field, value, 'an array of finite numbers or null');
    }
    return value as number[];
  }

  /** SCHEDULER_CONFIG_UNSUPPORTED naming the field, the value and what to do. */
  unsupported(field: string, value: unknown, hint: string): SdxlError {
    return new SdxlError(
      ErrorCode.SCHEDULER_CONFIG_UNSUPPORTED,
      `${this.#className}: config ${field} = ${JSON.stringify(value)} is not supported by @sdxl-trainer/schedulers (${hint})`,
      { details: { scheduler: this.#className, field, value } },
    );
  }

  /** SCHEDULER_CONFIG_INVALID naming the field, the value and what was expected. */
  invalid(field: string, value: unknown, expected: string): SdxlError {
    return new SdxlError(ErrorCode.SCHEDULER_CONFIG_INVALID, `${this.#className}: config ${field} = ${describe(value)}; expected ${expected}`, {
      details: { scheduler: this.#className, field, value, expected },
    });
  }

  #value(field: string): unknown {
    return Object.hasOwn(this.#raw, field) ? this.#raw[field] : undefined;
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
