import { spawn } from 'node:child_process';

/** How a command ended: its exit code and the last lines it printed (stdout and stderr interleaved). */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The whole standard output. */
  readonly stdout: string;
  /** The last `tailLines` lines of both streams, for error messages. */
  readonly tail: string;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  readonly cwd?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Called with every line the command prints on either stream. */
  readonly onLine?: ((line: string) => void) | undefined;
  /** Lines kept for {@link CommandResult.tail} (default 40). */
  readonly tailLines?: number | undefined;
}

/**
 * Runs `command args` without a shell and resolves when it exits (whatever the code); rejects only if
 * it cannot start (e.g. ENOENT).
 */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const keep = options.tailLines ?? 40;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    const pending = { out: '', err: '' };
    const take = (stream: 'out' | 'err', text: string): void => {
      const lines = (pending[stream] + text).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) emit(line);
    };
    const emit = (line: string): void => {
      tail.push(line);
      if (tail.length > keep) tail.shift();
      options.onLine?.(line);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      take('out', text);
    });
    child.stderr.on('data', (chunk: Buffer) => take('err', chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const rest of [pending.out, pending.err]) if (rest !== '') emit(rest);
      resolve({ code, signal, stdout, tail: tail.join('\n') });
    });
  });
}
