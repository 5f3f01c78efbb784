// why: plain YAML scalars that a YAML 1.1 or 1.2 parser (PyYAML, the Hub's) would read as something else than the
// same string: booleans, null, numbers, or text starting with an indicator character.
const NOT_A_STRING = /^(?:true|false|yes|no|on|off|y|n|null|[-+]?\.\d+(?:e[-+]?\d+)?|[-+]?\.(?:inf|nan))$/i;
// why: a leading digit is always quoted: YAML 1.1 also reads dates, times and sexagesimals (2024-01-01, 1:30).
const SAFE_PLAIN = /^[A-Za-z_./][A-Za-z0-9_./ +-]*$/;

/**
 * A string as a YAML scalar: plain when that reads back as the same string (`stabilityai/sdxl-base-1.0`),
 * double-quoted otherwise (JSON's escaping is valid YAML double-quoted style).
 */
export function yamlScalar(value: string): string {
  return SAFE_PLAIN.test(value) && !value.endsWith(' ') && !NOT_A_STRING.test(value) ? value : JSON.stringify(value);
}
