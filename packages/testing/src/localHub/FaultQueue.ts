import type { Fault } from './types.js';

/** Faults waiting for the requests they match; each is used `times` times, then dropped. */
export class FaultQueue {
  private readonly pending: Array<{ fault: Fault; left: number }> = [];

  push(fault: Fault): void {
    const effects = [fault.status, fault.dropAfterBytes, fault.delayMs, fault.resetConnection].filter((v) => v !== undefined);
    if (effects.length === 0) throw new TypeError('failNext: a fault needs one of status, dropAfterBytes, delayMs, resetConnection');
    this.pending.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /**
   * The first queued fault matching this request, consumed once; undefined when none matches. `body` faults
   * (dropAfterBytes) are taken only when a response body is about to be sent, so a redirect does not use them up.
   */
  take(method: string, path: string, stage: 'request' | 'body'): Fault | undefined {
    const index = this.pending.findIndex(
      ({ fault }) => (fault.dropAfterBytes !== undefined) === (stage === 'body') && matches(fault, method, path),
    );
    if (index < 0) return undefined;
    const entry = this.pending[index] as { fault: Fault; left: number };
    entry.left -= 1;
    if (entry.left <= 0) this.pending.splice(index, 1);
    return entry.fault;
  }
}

function matches(fault: Fault, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path);
}
