#!/usr/bin/env node
// Runs a workspace command on a machine that may have only Node and npm:
// installs pnpm (pinned in package.json) and the dependencies on first use,
// then runs the command with node_modules/.bin on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmSpec = packageManager; // e.g. "pnpm@10.34.8"

const run = (cmd, args, env = process.env) => {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
};

const hasPnpm = () => spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0;
const pnpm = (args) => (hasPnpm() ? run('pnpm', args) : run('npx', ['--yes', pnpmSpec, ...args]));

if (!existsSync(join(root, 'node_modules', '.modules.yaml'))) {
  const status = pnpm(['install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-deps.mjs <command> [args...]');
  process.exit(2);
}
const binDir = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
if (command === 'pnpm') process.exit(pnpm(args));
process.exit(run(command, args, env));
