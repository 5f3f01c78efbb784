import type { LogLevel, ProgressInfo } from '@sdxl-trainer/core';
import { formatDuration, formatNumber } from './formatDuration.js';

/** Where the renderer writes, and what it needs to know about the terminal. */
export interface Terminal {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns: number;
  /** Milliseconds, monotonic. */
  now(): number;
}

/**
 * Shows training progress: on a TTY one bar line redrawn in place (step, loss, lr, steps/s, ETA); off a
 * TTY (CI logs, files) a plain line every `intervalSeconds`, plus the first and the last step.
 * Log lines print above the bar without breaking it.
 */
export class ProgressRenderer {
  #lastPlain = -Infinity;
  #barShown = false;
  #last: ProgressInfo | undefined;

  constructor(
    private readonly terminal: Terminal,
    private readonly intervalSeconds: number,
  ) {}

  /** A new progress event. */
  update(progress: ProgressInfo): void {
    this.#last = progress;
    if (this.terminal.isTTY) {
      this.terminal.write(`\r${this.#bar(progress)}\x1b[K`);
      this.#barShown = true;
      return;
    }
    const now = this.terminal.now();
    const due = (now - this.#lastPlain) / 1000 >= this.intervalSeconds;
    if (due || progress.step === 1 || progress.step === progress.maxSteps) {
      this.#lastPlain = now;
      this.terminal.write(`${plainLine(progress)}\n`);
    }
  }

  /** A log line from the run. */
  log(level: LogLevel, message: string): void {
    const prefix = level === 'info' ? '' : `${level}: `;
    if (this.#barShown) this.terminal.write('\r\x1b[K');
    this.terminal.write(`${prefix}${message}\n`);
    if (this.#barShown && this.#last) this.terminal.write(this.#bar(this.#last));
  }

  /** End the bar line so later output starts on a fresh line. */
  finish(): void {
    if (this.#barShown) this.terminal.write('\n');
    this.#barShown = false;
  }

  #bar(p: ProgressInfo): string {
    const fraction = p.maxSteps > 0 ? Math.min(1, p.step / p.maxSteps) : 0;
    const stats = ` ${Math.floor(fraction * 100)}% | step ${p.step}/${p.maxSteps} | loss ${formatNumber(p.loss)} | lr ${formatNumber(p.lr)} | ${p.stepsPerSecond.toFixed(2)} steps/s | ETA ${formatDuration(p.etaSeconds)}`;
    const width = Math.max(10, Math.min(40, this.terminal.columns - stats.length - 3));
    const filled = Math.round(fraction * width);
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${stats}`.slice(0, Math.max(20, this.terminal.columns - 1));
  }
}

function plainLine(p: ProgressInfo): string {
  const percent = p.maxSteps > 0 ? Math.floor((100 * p.step) / p.maxSteps) : 0;
  return `step ${p.step}/${p.maxSteps} (${percent}%) epoch ${p.epoch + 1} loss ${formatNumber(p.loss)} lr ${formatNumber(p.lr)} ${p.stepsPerSecond.toFixed(2)} steps/s elapsed ${formatDuration(p.elapsedSeconds)} ETA ${formatDuration(p.etaSeconds)}`;
}
