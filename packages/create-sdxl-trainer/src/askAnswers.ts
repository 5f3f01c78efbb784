import type { Readable, Writable } from 'node:stream';
import { resolve } from 'node:path';
import { cancel, confirm, isCancel, select, text } from '@clack/prompts';
import type { CliArgs } from './parseArgs.js';
import { existingEntries } from './targetDir.js';
import { defaultTargetDir, TEMPLATES, type TemplateName } from './templates.js';

/** What a run scaffolds: from flags, or asked for. */
export interface Answers {
  readonly targetDir: string;
  readonly template: TemplateName;
  readonly overwrite: boolean;
  readonly install: boolean;
}

/** Where the prompts read and write, and the folder a relative target is resolved against. */
export interface PromptIo {
  readonly input: Readable;
  readonly output: Writable;
  readonly cwd: string;
}

/** Ask, on a terminal, for whatever the flags left open (folder, overwrite, template, install); undefined when the person cancels. */
export async function askAnswers(args: CliArgs, packageManager: string, io: PromptIo): Promise<Answers | undefined> {
  const streams = { input: io.input, output: io.output };
  const stop = (): undefined => void cancel('Cancelled: nothing was written.', streams);

  const folder =
    args.targetDir ??
    (await text({
      ...streams,
      message: 'Project folder',
      placeholder: defaultTargetDir(args.template ?? 'default'),
      defaultValue: defaultTargetDir(args.template ?? 'default'),
    }));
  if (isCancel(folder)) return stop();

  let overwrite = args.overwrite ?? false;
  if (!overwrite) {
    const entries = await existingEntries(resolve(io.cwd, folder));
    if (entries.length > 0) {
      const answer = await confirm({ ...streams, message: `${folder} holds ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}. Remove them (a .git folder is kept) and continue?`, initialValue: false });
      if (isCancel(answer) || !answer) return stop();
      overwrite = true;
    }
  }

  const template =
    args.template ??
    (await select<TemplateName>({ ...streams, message: 'Template', options: TEMPLATES.map((t) => ({ value: t.name, label: `${t.name}: ${t.title}`, hint: t.hint })) }));
  if (isCancel(template)) return stop();

  const install = args.install ?? (await confirm({ ...streams, message: `Install dependencies with ${packageManager} now?`, initialValue: true }));
  if (isCancel(install)) return stop();

  return { targetDir: folder, template, overwrite, install };
}
