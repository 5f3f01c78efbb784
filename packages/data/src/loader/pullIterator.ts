import { Subject, type Observable } from 'rxjs';

/**
 * An async iterator over `source(credits$)` with credit-based backpressure: `initialCredits` credits are granted
 * at the start and one more each time the consumer takes a value, so the producer can run at most that many values
 * ahead. `return()` (a `for await` left early) unsubscribes. `onTake` runs as a value is handed over, before the
 * credit it frees is granted.
 */
export function pullIterator<T>(source: (credits$: Observable<void>) => Observable<T>, initialCredits: number, onTake?: (value: T) => void): AsyncIterableIterator<T> {
  const credits = new Subject<void>();
  const buffer: T[] = [];
  const waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  let failure: { error: unknown } | undefined;
  let complete = false;

  const settle = (): void => {
    while (waiting.length > 0) {
      if (buffer.length > 0) {
        const value = buffer.shift()!;
        onTake?.(value);
        waiting.shift()!.resolve({ value, done: false });
        credits.next(); // why: the consumer took a value; let the producer start one more.
      } else if (failure) waiting.shift()!.reject(failure.error);
      else if (complete) waiting.shift()!.resolve({ value: undefined, done: true });
      else return;
    }
  };
  const subscription = source(credits.asObservable()).subscribe({
    next: (value) => {
      buffer.push(value);
      settle();
    },
    error: (error: unknown) => {
      failure = { error };
      settle();
    },
    complete: () => {
      complete = true;
      settle();
    },
  });
  for (let i = 0; i < initialCredits; i++) credits.next();

  const iterator: AsyncIterableIterator<T> = {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting.push({ resolve, reject });
        settle();
      }),
    return: async () => {
      subscription.unsubscribe();
      credits.complete();
      complete = true;
      buffer.length = 0;
      settle();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
