import { inject, injectable, type InjectionToken } from './di.js';
import { EventBus, EventBusToken, type LogLevel } from './events.js';

/** Where library code writes what a person should read. Only the CLI turns it into terminal output. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** DI token of the run's {@link Logger}. */
export const Logger: InjectionToken<Logger> = Symbol.for('@sdxl-trainer/core:Logger');

/** The default logger: every line becomes a `log` event on the run's event stream. */
@injectable()
export class EventLogger implements Logger {
  constructor(@inject(EventBusToken) private readonly bus: EventBus) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#log('error', message, fields);
  }

  #log(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    this.bus.emit('log', { level, message, fields });
  }
}
