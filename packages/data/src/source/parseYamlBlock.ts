/** A YAML value of the subset {@link parseYamlBlock} reads. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

/**
 * Parse the block-style YAML that dataset cards use for `configs:` (what `push_to_hub` and people write): nested
 * mappings and `- ` sequences by indentation, plain / quoted scalars, flow lists `[a, b]`. Anchors, tags, multi-line
 * scalars and flow mappings are not supported; they throw a `SyntaxError` naming the line.
 */
export function parseYamlBlock(text: string): YamlValue {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const stripped = stripComment(raw);
    if (stripped.trim() === '' || stripped.trim() === '---') return;
    lines.push({ indent: stripped.length - stripped.trimStart().length, text: stripped.trim(), number: i + 1 });
  });
  const cursor = { at: 0 };
  const value = parseNode(lines, cursor, lines[0]?.indent ?? 0);
  if (cursor.at < lines.length) throw new SyntaxError(`unexpected indentation at line ${lines[cursor.at]!.number}`);
  return value;
}

function parseNode(lines: Line[], cursor: { at: number }, indent: number): YamlValue {
  const first = lines[cursor.at];
  if (!first || first.indent < indent) return null;
  return first.text.startsWith('- ') || first.text === '-' ? parseSequence(lines, cursor, first.indent) : parseMapping(lines, cursor, first.indent);
}

function parseSequence(lines: Line[], cursor: { at: number }, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  while (cursor.at < lines.length && lines[cursor.at]!.indent === indent && lines[cursor.at]!.text.startsWith('-')) {
    const line = lines[cursor.at]!;
    const rest = line.text.slice(1).trimStart();
    if (rest === '') {
      cursor.at++;
      items.push(parseNode(lines, cursor, indent + 1));
    } else if (keyValue(rest) !== undefined) {
      // why: "- key: value" opens a mapping whose keys sit at the column after "- ".
      const column = indent + (line.text.length - rest.length);
      lines[cursor.at] = { indent: column, text: rest, number: line.number };
      items.push(parseMapping(lines, cursor, column));
    } else {
      cursor.at++;
      items.push(scalar(rest, line.number));
    }
  }
  return items;
}

function parseMapping(lines: Line[], cursor: { at: number }, indent: number): { [key: string]: YamlValue } {
  const map: { [key: string]: YamlValue } = {};
  while (cursor.at < lines.length && lines[cursor.at]!.indent === indent) {
    const line = lines[cursor.at]!;
    const kv = keyValue(line.text);
    if (kv === undefined) throw new SyntaxError(`expected "key: value" at line ${line.number}`);
    cursor.at++;
    const [key, value] = kv;
    if (value !== '') map[key] = scalar(value, line.number);
    else {
      const next = lines[cursor.at];
      // why: a sequence may sit at the same indentation as its key ("data_files:\n- split: train").
      const nested = next && (next.indent > indent || (next.indent === indent && next.text.startsWith('-')));
      map[key] = nested ? parseNode(lines, cursor, next.indent) : null;
    }
  }
  return map;
}

function keyValue(text: string): [string, string] | undefined {
  const match = /^("[^"]*"|'[^']*'|[^\s:'"[{][^:]*?)\s*:(?:\s+(.*)|$)/.exec(text);
  if (!match) return undefined;
  return [unquote(match[1]!), (match[2] ?? '').trim()];
}

function scalar(text: string, line: number): YamlValue {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new SyntaxError(`unterminated flow list at line ${line}`);
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : splitFlow(inner).map((item) => scalar(item.trim(), line));
  }
  if (/^[&*!|>{]/.test(text)) throw new SyntaxError(`unsupported YAML at line ${line}: ${text}`);
  if (text.startsWith('"') || text.startsWith("'")) return unquote(text);
  if (text === 'true' || text === 'True') return true;
  if (text === 'false' || text === 'False') return false;
  if (text === 'null' || text === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function splitFlow(text: string): string[] {
  const parts: string[] = [];
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return JSON.parse(text) as string;
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  return text;
}

function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}
