import { describe, expect, it } from 'vitest';
import { normalizePlugins, type PluginOption, type TrainerPlugin } from './plugin.js';

const plugin = (name: string, extra: Partial<TrainerPlugin> = {}): TrainerPlugin => ({ name, apply: () => undefined, ...extra });

describe('normalizePlugins', () => {
  it('flattens presets, drops falsy entries and orders pre / normal / post keeping user order', () => {
    const useEma = false;
    const options: PluginOption[] = [
      plugin('a'),
      [plugin('b', { enforce: 'post' }), [plugin('c', { enforce: 'pre' }), null]],
      useEma && plugin('ema'),
      undefined,
      0,
      '',
      plugin('d'),
      plugin('e', { enforce: 'pre' }),
    ];
    const { pre, normal, post } = normalizePlugins(options);
    expect(pre.map((p) => p.name)).toEqual(['c', 'e']);
    expect(normal.map((p) => p.name)).toEqual(['a', 'd']);
    expect(post.map((p) => p.name)).toEqual(['b']);
  });

  it('names the position of an entry that is not a plugin and says what was expected', () => {
    const factory = () => plugin('x');
    expect(() => normalizePlugins([plugin('a'), [factory as unknown as TrainerPlugin]])).toThrow(/plugins\[1\]\[0\] is a function, not a plugin: call the factory/);
    expect(() => normalizePlugins([{ name: 'x' } as unknown as TrainerPlugin])).toThrow(/plugins\[0\] is not a plugin: expected an object with a non-empty "name" and an "apply\(trainer\)" function/);
    expect(() => normalizePlugins([plugin('x', { enforce: 'first' as 'pre' })])).toThrow(/enforce "first"/);
  });

  it('requires stateful plugins to have both state methods and distinct state keys', () => {
    expect(() => normalizePlugins([plugin('x', { stateDict: () => ({}) })])).toThrow(/stateDict\(\) but no loadStateDict\(\)/);
    const stateful = (name: string, stateKey?: string) => plugin(name, { stateKey, stateDict: () => ({}), loadStateDict: () => undefined });
    expect(() => normalizePlugins([stateful('a', 'k'), stateful('b', 'k')])).toThrow(/share the state key "k"/);
    expect(() => normalizePlugins([stateful('a', 'k1'), stateful('b', 'k2')])).not.toThrow();
  });
});
