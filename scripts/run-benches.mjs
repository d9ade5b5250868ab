#!/usr/bin/env node
// Runs every bench (bench/*.ts exporting `main`, or those named on the command line) against the built packages.
// `--quick` shortens them (CI smoke run). Machines are shared and noisy, so a missed ratio target (exit 1) is printed
// but does not fail the run; a crash (any other exit) does. Exit codes of a bench: 0 targets met, 1 missed, 2 crashed.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => !a.startsWith('--')).map((a) => a.replace(/^bench\//, '').replace(/(\.ts)?$/, '.ts'));
const benches = readdirSync(join(root, 'bench')).filter(
  (f) => f.endsWith('.ts') && !f.startsWith('_') && (named.length === 0 || named.includes(f)) && /export async function main\(/.test(readFileSync(join(root, 'bench', f), 'utf8')),
);
let crashed = 0;
for (const file of benches) {
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', file)], {
    cwd: root,
    encoding: 'utf8',
    timeout: quick ? 300_000 : 1_200_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}), TSX_TSCONFIG_PATH: join(root, 'bench', 'tsconfig.json') },
  });
  const ok = result.status === 0 || result.status === 1;
  if (!ok) crashed++;
  console.log(`${ok ? (result.status === 0 ? 'ok  ' : 'slow') : 'FAIL'} bench/${file}`);
  process.stdout.write(result.stdout ?? '');
  if (!ok) console.log((result.stderr ?? '') + (result.error ? String(result.error) : ''));
}
process.exit(crashed === 0 ? 0 : 1);
