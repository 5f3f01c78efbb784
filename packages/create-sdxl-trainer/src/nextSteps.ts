import { isAbsolute, relative } from 'node:path';
import { runCommand, runWithArgs, type PackageManager } from './packageManager.js';
import type { TemplateName } from './templates.js';

/** What {@link nextSteps} needs to know. */
export interface NextStepsOptions {
  readonly template: TemplateName;
  readonly targetDir: string;
  readonly cwd: string;
  readonly packageManager: PackageManager;
  /** Dependencies were installed already. */
  readonly installed: boolean;
}

/** What the person does next: one command a line, with a short comment (`cd` when the project is not the current folder). */
export function nextSteps(options: NextStepsOptions): string[] {
  const pm = options.packageManager;
  const steps: [command: string, comment: string][] = [];
  const dir = relative(options.cwd, options.targetDir);
  if (dir !== '') steps.push([`cd ${quote(dir.startsWith('..') || isAbsolute(dir) ? options.targetDir : dir)}`, '']);
  if (!options.installed) steps.push([`${pm} install`, '']);
  if (options.template === 'plugin') {
    steps.push([runCommand(pm, 'test'), 'the plugin in a real trainer'], [runCommand(pm, 'build'), 'dist/, ready to publish']);
  } else {
    steps.push(
      [runCommand(pm, 'test'), 'the config loads and composes its plugins'],
      [runWithArgs(pm, 'train', '--max_train_steps 2'), 'a quick try: flags win over the config'],
      [runCommand(pm, 'train'), 'sdxl-train --config sdxl.config.ts'],
    );
  }
  const width = Math.max(...steps.map(([command]) => command.length));
  return steps.map(([command, comment]) => (comment ? `${command.padEnd(width)}   # ${comment}` : command));
}

function quote(path: string): string {
  return /^[\w./@-]+$/.test(path) ? path : `"${path.replace(/"/g, '\\"')}"`;
}
