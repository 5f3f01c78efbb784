import { describe, expect, it } from 'vitest';
import { detectPackageManager, runCommand, runWithArgs } from './packageManager.js';

describe('detectPackageManager', () => {
  it.each([
    ['npm/11.19.1 node/v20.20.2 linux x64 workspaces/false', 'npm'],
    ['pnpm/9.12.0 npm/? node/v20.19.0 linux x64', 'pnpm'],
    ['yarn/4.5.0 npm/? node/v20.19.0 linux x64', 'yarn'],
    ['bun/1.1.0 npm/? node/v22.0.0 linux x64', 'npm'],
    [undefined, 'npm'],
    ['', 'npm'],
  ])('%j → %s', (agent, expected) => {
    expect(detectPackageManager(agent)).toBe(expected);
  });

  it('spells scripts the way each manager runs them', () => {
    expect([runCommand('npm', 'test'), runCommand('npm', 'train'), runCommand('pnpm', 'train'), runCommand('yarn', 'build')]).toEqual(['npm test', 'npm run train', 'pnpm train', 'yarn build']);
    expect([runWithArgs('npm', 'train', '--x 1'), runWithArgs('yarn', 'train', '--x 1')]).toEqual(['npm run train -- --x 1', 'yarn train --x 1']);
  });
});
