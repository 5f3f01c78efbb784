import { describe, expect, it } from 'vitest';
import { yamlScalar } from './yamlScalar.js';

// The expectations follow the YAML 1.1 resolvers PyYAML uses (bool: yes/no/on/off/y/n/true/false, null, int/float
// incl. `.inf`, timestamps, sexagesimals) and the indicator characters of YAML 1.2 §5.3; every quoted output below
// was also read back with PyYAML 6.0.3's safe_load and gave the input string.
describe('yamlScalar', () => {
  it('leaves repo ids, licenses and ordinary words plain', () => {
    for (const value of ['stabilityai/stable-diffusion-xl-base-1.0', 'creativeml-openrail-m', 'openrail++', 'diffusers', 'a - b']) {
      expect(yamlScalar(value)).toBe(value);
    }
  });

  it('quotes what YAML would read as another type', () => {
    for (const value of ['true', 'No', 'on', 'Y', 'null', '123', '1.5', '1e3', '0x1f', '017', '.inf', '.5', '2024-01-01', '1:30']) {
      expect(yamlScalar(value)).toBe(JSON.stringify(value));
    }
  });

  it('quotes indicators, comments, mapping colons, quotes, line breaks and trailing spaces, escaping them', () => {
    for (const value of ['a: b', '#x', 'x #y', '- x', '[a]', '{a}', '*a', '&a', '!a', '%a', '@a', '`a', 'a,b', "it's", '"q"', 'trailing ', 'C:\\path', 'café']) {
      expect(yamlScalar(value)).toBe(JSON.stringify(value));
    }
    expect(yamlScalar('line\nbreak')).toBe('"line\\nbreak"');
  });
});
