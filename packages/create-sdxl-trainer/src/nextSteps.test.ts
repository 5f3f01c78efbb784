import { describe, expect, it } from 'vitest';
import { nextSteps } from './nextSteps.js';

describe('nextSteps', () => {
  it('changes into the project, installs, tests and trains', () => {
    const steps = nextSteps({ template: 'default', targetDir: '/home/me/runs/my run', cwd: '/home/me/runs', packageManager: 'npm', installed: false });
    expect(steps.map((line) => line.split('   #')[0]!.trim())).toEqual(['cd "my run"', 'npm install', 'npm test', 'npm run train -- --max_train_steps 2', 'npm run train']);
  });

  it('skips cd and install when there is nothing to do; a plugin builds instead of training', () => {
    const steps = nextSteps({ template: 'plugin', targetDir: '/p', cwd: '/p', packageManager: 'pnpm', installed: true });
    expect(steps.map((line) => line.split('   #')[0]!.trim())).toEqual(['pnpm test', 'pnpm build']);
  });

  it('names a folder outside the current one by its absolute path', () => {
    expect(nextSteps({ template: 'minimal', targetDir: '/elsewhere/x', cwd: '/home/me', packageManager: 'npm', installed: true })[0]).toBe('cd /elsewhere/x');
  });
});
