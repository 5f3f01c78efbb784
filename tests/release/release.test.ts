import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sdxl-release-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Packed {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly tarball: string;
}

describe('npm run release -- --dry-run', () => {
  let packed: Packed[] = [];

  it('versions from the changesets, builds and packs every public package without touching the checkout', () => {
    // what versioning would change in a checkout: versions, changelogs, the consumed changesets
    const footprint = () => JSON.stringify({
      versions: ['packages/core', 'packages/cli', 'plugins/preset-sdxl'].map((p) => (JSON.parse(readFileSync(join(repo, p, 'package.json'), 'utf8')) as { version: string }).version),
      changelogs: ['packages/core', 'packages/cli'].map((p) => existsSync(join(repo, p, 'CHANGELOG.md'))),
      changesets: readdirSync(join(repo, '.changeset')).sort(),
    });
    const before = footprint();
    const out = execFileSync(process.execPath, [join(repo, 'scripts', 'release.mjs'), '--dry-run', '--out', join(work, 'tarballs')], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 26,
    });
    packed = (JSON.parse(out) as { packages: Packed[] }).packages;
    expect(footprint()).toBe(before);
    const names = packed.map((p) => p.name);
    for (const name of ['@sdxl-trainer/core', '@sdxl-trainer/cli', '@sdxl-trainer/preset-sdxl', '@sdxl-trainer/plugin-min-snr']) expect(names).toContain(name);
    expect(names.filter((n) => n.startsWith('@sdxl-trainer/tests-') || n.startsWith('@sdxl-trainer/example-'))).toEqual([]);
    // why: pending changesets raise versions; a package without one keeps its version.
    expect(packed.some((p) => p.to !== p.from)).toBe(true);
  }, 600_000);

  it('packs what a user needs and nothing of the sources or tests', () => {
    for (const pkg of packed) {
      const files = execFileSync('tar', ['-tzf', pkg.tarball], { encoding: 'utf8' }).trim().split('\n');
      expect(files, pkg.name).toContain('package/README.md');
      expect(files, pkg.name).toContain('package/LICENSE');
      expect(files.some((f) => f.endsWith('.d.ts')), `${pkg.name} ships types`).toBe(true);
      expect(files.filter((f) => /\.test\.|^package\/src\//.test(f)), pkg.name).toEqual([]);
    }
  });

  it('installs from the tarballs into a fresh folder, and the CLIs run from there', () => {
    const app = join(work, 'fresh');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh', private: true, type: 'module' }));
    const tarballs = readdirSync(join(work, 'tarballs')).map((f) => join(work, 'tarballs', f));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app, stdio: 'ignore' });
    const help = execFileSync(join(app, 'node_modules', '.bin', 'sdxl-train'), ['--help'], { cwd: app, encoding: 'utf8' });
    expect(help).toContain('--config <file>');
    const version = packed.find((p) => p.name === '@sdxl-trainer/cli')!.to;
    expect(execFileSync(join(app, 'node_modules', '.bin', 'sdxl-train'), ['--version'], { cwd: app, encoding: 'utf8' }).trim()).toBe(version);
    expect(execFileSync(join(app, 'node_modules', '.bin', 'sdxl-generate'), ['--help'], { cwd: app, encoding: 'utf8' })).toContain('--prompt');
  }, 300_000);
});
