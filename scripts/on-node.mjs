#!/usr/bin/env node
// Runs a command with another Node.js first on PATH: `node scripts/on-node.mjs 24.22.3 npm test`.
// The official binaries are on the npm registry as `node-<platform>-<arch>` packages, so this needs no network but
// the registry. Each version is fetched once into node_modules/.cache/node/<version>/ (ignored by every tool).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [version, command, ...args] = process.argv.slice(2);
if (!version || !command || !/^\d+\.\d+\.\d+$/.test(version)) {
  console.error('usage: on-node.mjs <exact version, e.g. 24.22.3> <command> [args...]');
  process.exit(2);
}

const platform = process.platform === 'win32' ? 'win' : process.platform;
const pkg = `node-${platform}-${process.arch}@${version}`;
const home = join(root, 'node_modules', '.cache', 'node', version);
const binDir = process.platform === 'win32' ? join(home, 'package') : join(home, 'package', 'bin');

if (!existsSync(join(binDir, process.platform === 'win32' ? 'node.exe' : 'node'))) {
  const partial = `${home}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  // Two tries: a registry hiccup should not decide a CI run.
  let packed = false;
  for (let attempt = 1; attempt <= 2 && !packed; attempt++) {
    const npmArgs = ['pack', pkg, '--silent', '--pack-destination', partial, '--fetch-retries=1', '--fetch-retry-maxtimeout=15000'];
    packed = spawnSync('npm', npmArgs, { stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' }).status === 0;
  }
  const tarball = packed ? readdirSync(partial).find((name) => name.endsWith('.tgz')) : undefined;
  if (tarball === undefined) {
    rmSync(partial, { recursive: true, force: true });
    console.error(`on-node: could not fetch ${pkg} from the npm registry`);
    process.exit(1);
  }
  if (spawnSync('tar', ['xzf', tarball], { cwd: partial, stdio: 'inherit' }).status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    console.error(`on-node: could not unpack ${pkg}`);
    process.exit(1);
  }
  rmSync(join(partial, tarball));
  rmSync(home, { recursive: true, force: true });
  renameSync(partial, home);
}

const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
const found = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
if (found !== `v${version}`) {
  console.error(`on-node: expected node v${version} first on PATH, found ${found || 'nothing'}`);
  process.exit(1);
}
const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
