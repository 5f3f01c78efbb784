import type { LocalWandbFault } from './types.js';

/** Faults waiting for the requests they match; each is used `times` times, then dropped. */
export class LocalWandbFaults {
  readonly #pending: Array<{ fault: LocalWandbFault; left: number }> = [];

  push(fault: LocalWandbFault): void {
    if ([fault.status, fault.delayMs, fault.resetConnection].every((v) => v === undefined)) {
      throw new TypeError('failNext: a fault needs one of status, delayMs, resetConnection');
    }
    this.#pending.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.#pending.length = 0;
  }

  /** The first fault matching the request, used up once; undefined when none matches. */
  take(method: string, path: string, operation: string | undefined): LocalWandbFault | undefined {
    const index = this.#pending.findIndex(({ fault }) => matches(fault, method, path, operation));
    if (index < 0) return undefined;
    const entry = this.#pending[index] as { fault: LocalWandbFault; left: number };
    entry.left -= 1;
    if (entry.left <= 0) this.#pending.splice(index, 1);
    return entry.fault;
  }
}

function matches(fault: LocalWandbFault, method: string, path: string, operation: string | undefined): boolean {
  if (fault.operation !== undefined && fault.operation !== operation) return false;
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path);
}
