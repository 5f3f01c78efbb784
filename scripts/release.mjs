#!/usr/bin/env node
// Release: apply the pending changesets (versions + changelogs), build, and pack every public package.
//   npm run release -- --dry-run [--out <dir>]   in a throwaway copy of HEAD: version + build + pack, no network
//                                                 beyond the npm cache, the repository untouched
//   npm run release                               in this checkout: version, build, then `changeset publish`
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const outAt = args.indexOf('--out');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

function run(command, commandArgs, cwd) {
  process.stderr.write(`$ ${command} ${commandArgs.join(' ')}\n`);
  execFileSync(command, commandArgs, { cwd, stdio: ['ignore', 2, 2], env });
}

/** The public workspace packages: folder, name, version. */
function publicPackages(root) {
  const found = [];
  for (const group of ['packages', 'plugins']) {
    for (const dir of readdirSync(join(root, group))) {
      const file = join(root, group, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (!pkg.private) found.push({ folder: join(root, group, dir), name: pkg.name, version: pkg.version });
    }
  }
  return found;
}

if (!dryRun) {
  run('npx', ['changeset', 'version'], repo);
  run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], repo);
  run('npx', ['turbo', 'run', 'build'], repo);
  run('npx', ['changeset', 'publish'], repo);
  process.exit(0);
}

const out = resolve(outAt >= 0 ? args[outAt + 1] : join(repo, '.tmp', 'release'));
const work = mkdtempSync(join(tmpdir(), 'sdxl-release-'));
const copy = join(work, 'repo');
try {
  mkdirSync(copy);
  // why: a copy of HEAD (what would be released), so versioning and building never touch this checkout.
  execFileSync('sh', ['-c', `git -C "${repo}" archive --format=tar HEAD | tar -x -C "${copy}"`], { stdio: 'inherit' });
  const before = new Map(publicPackages(copy).map((p) => [p.name, p.version]));
  run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], copy);
  run('npx', ['changeset', 'version'], copy);
  run('npx', ['turbo', 'run', 'build'], copy);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const packed = [];
  for (const pkg of publicPackages(copy)) {
    const name = execFileSync('npm', ['pack', '--pack-destination', out, '--silent'], { cwd: pkg.folder, encoding: 'utf8', env }).trim().split('\n').at(-1);
    packed.push({ name: pkg.name, from: before.get(pkg.name), to: pkg.version, tarball: join(out, name) });
  }
  process.stdout.write(`${JSON.stringify({ dryRun: true, out, packages: packed }, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
