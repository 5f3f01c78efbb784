import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The password of `machine <host>` in the netrc file (NETRC, else ~/.netrc, else ~/_netrc), where `wandb login`
 * keeps the API key; `host` is the server URL's host[:port], as wandb's wbnetrc.py looks it up. Undefined when
 * there is no file or no entry.
 */
export function readNetrcApiKey(host: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const home = env['HOME'] ?? homedir();
  const candidates = env['NETRC'] ? [env['NETRC'].replace(/^~(?=$|\/)/, home)] : [join(home, '.netrc'), join(home, '_netrc')];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseNetrc(text).get(host);
}

/** Machine → password of a netrc text (tokens may be double-quoted; `macdef` bodies and `default` are skipped). */
export function parseNetrc(text: string): Map<string, string> {
  const passwords = new Map<string, string>();
  const body = text.replace(/^\s*macdef\b[^\n]*\n(?:[^\n]+\n)*/gm, '');
  const tokens = [...body.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string)));
  let machine: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine') machine = tokens[++i];
    else if (token === 'default') machine = undefined;
    else if ((token === 'password' || token === 'login' || token === 'account') && i + 1 < tokens.length) {
      const value = tokens[++i] as string;
      if (token === 'password' && machine !== undefined && !passwords.has(machine)) passwords.set(machine, value);
    }
  }
  return passwords;
}
