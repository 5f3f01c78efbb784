import { isSdxlError } from '@sdxl-trainer/errors';

/** An error as the CLI prints it: the code, the message, and which plugin and hook failed. */
export function formatError(error: unknown): string {
  if (isSdxlError(error)) {
    const where = error.plugin ? ` [plugin ${error.plugin}${error.hook ? `, hook ${error.hook}` : ''}]` : error.hook ? ` [hook ${error.hook}]` : '';
    return `error ${error.code}${where}: ${error.message}`;
  }
  if (error instanceof Error) return `error: ${error.stack ?? error.message}`;
  return `error: ${String(error)}`;
}
