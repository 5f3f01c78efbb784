import type { RepoType } from './RepoType.js';

/** What a Hub request was about, so an error can name the repo, revision and file. */
export interface HubRequestContext {
  readonly endpoint: string;
  readonly repoId?: string | undefined;
  readonly type?: RepoType | undefined;
  readonly revision?: string | undefined;
  readonly path?: string | undefined;
  /** Whether a token was sent (changes what a 401 means). */
  readonly tokenSent?: boolean | undefined;
}

/** `model "org/name" (revision main, file unet/config.json)`, for messages. */
export function describeTarget(context: HubRequestContext): string {
  const repo = context.repoId === undefined ? 'the Hub' : `${context.type ?? 'model'} "${context.repoId}"`;
  const facts = [
    context.revision === undefined ? undefined : `revision ${context.revision}`,
    context.path === undefined ? undefined : `file ${context.path}`,
  ].filter((fact): fact is string => fact !== undefined);
  return facts.length === 0 ? repo : `${repo} (${facts.join(', ')})`;
}
