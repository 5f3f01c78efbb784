/**
 * Python's `fnmatch.fnmatchcase`, which huggingface_hub uses for `allow_patterns` / `ignore_patterns`: `*` matches
 * any run of characters including `/`, `?` one character, `[seq]` / `[!seq]` a set; the whole path must match.
 */
export function fnmatch(name: string, pattern: string): boolean {
  return toRegExp(pattern).test(name);
}

/**
 * huggingface_hub's `filter_repo_objects`: keep paths matching an allow pattern (when any is given) and no ignore
 * pattern. A pattern ending in `/` means everything under that folder (`_add_wildcard_to_directories`).
 */
export function filterPaths(
  paths: readonly string[],
  allowPatterns: readonly string[] | undefined,
  ignorePatterns: readonly string[] | undefined,
): string[] {
  const allow = allowPatterns?.map(withFolderWildcard);
  const ignore = ignorePatterns?.map(withFolderWildcard) ?? [];
  return paths.filter(
    (path) => (allow === undefined || allow.some((p) => fnmatch(path, p))) && !ignore.some((p) => fnmatch(path, p)),
  );
}

function withFolderWildcard(pattern: string): string {
  const normalized = pattern.replaceAll('\\', '/');
  return normalized.endsWith('/') ? `${normalized}*` : normalized;
}

const cache = new Map<string, RegExp>();

// why: a port of the rules of CPython's `fnmatch.translate` (Lib/fnmatch.py); an unclosed `[` is a literal.
function toRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j += 1;
      if (pattern[j] === ']') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += 1;
      if (j >= pattern.length) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, j).replaceAll('\\', '\\\\');
      i = j;
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      else if (set.startsWith('^')) set = `\\${set}`;
      source += `[${set.replaceAll(']', '\\]')}]`;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const regExp = new RegExp(`^${source}$`, 's');
  cache.set(pattern, regExp);
  return regExp;
}
