const cache = new Map<string, RegExp>();

/**
 * A `data_files` pattern as 🤗 datasets matches it (fsspec glob): `*` and `?` stay inside one path segment, `**`
 * spans any number of segments (including none), `[abc]` / `[!abc]` are character sets. The whole path must match.
 */
export function globToRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const atStart = i === 0 || pattern[i - 1] === '/';
      const slashAfter = pattern[i + 2] === '/';
      if (atStart && slashAfter) {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        source += `[${set.replaceAll('\\', '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  cache.set(pattern, regex);
  return regex;
}

/** The paths matching any of `patterns`, in the order of `paths`. */
export function matchGlobs(paths: readonly string[], patterns: readonly string[]): string[] {
  const regexes = patterns.map(globToRegExp);
  return paths.filter((path) => regexes.some((r) => r.test(path)));
}
