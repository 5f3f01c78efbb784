import { CORE_OPTIONS } from '@sdxl-trainer/core';
import { PRESET_OPTIONS } from '@sdxl-trainer/preset-sdxl';

/** A markdown table cell: pipes escaped, newlines folded. */
function cell(value: unknown): string {
  return String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultOf(value: unknown): string {
  return value === undefined ? '—' : `\`${JSON.stringify(value)}\``;
}

/** The core run options: name, flag, default, what it accepts, what it does. */
export function coreOptionsTable(): string {
  const rows = Object.entries(CORE_OPTIONS).map(([name, o]) => {
    const fallback = 'default' in o ? defaultOf(o.default) : '—';
    return `| \`${name}\` | ${o.flag ? `\`${o.flag}\`` : '—'} | ${fallback} | ${cell(o.expected)} | ${cell(o.doc)} |`;
  });
  return ['| option | flag | default | accepts | what it does |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The SDXL preset options: name, flag, what it accepts. */
export function presetOptionsTable(): string {
  const rows = Object.entries(PRESET_OPTIONS).map(([name, o]) => {
    const description = typeof o === 'string' ? { expected: o } : o;
    return `| \`${name}\` | ${description.flag ? `\`${description.flag}\`` : '— (beyond the script)'} | ${cell(description.expected)} |`;
  });
  return ['| option | flag | accepts |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Replace the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}
