#!/usr/bin/env node
// Smoke-runs every example (examples/<name>/main.ts): each must exit 0 within its time limit.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'examples', d.name, 'main.ts')))
  .map((d) => d.name);
let failed = 0;
for (const name of examples) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join('examples', name, 'main.ts')], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, EXAMPLE_SMOKE: '1' } });
  const ok = result.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} examples/${name} (${Date.now() - started} ms)`);
  if (!ok) console.log((result.stdout ?? '') + (result.stderr ?? '') + (result.error ? String(result.error) : ''));
}
console.log(`${examples.length - failed} of ${examples.length} examples ran`);
process.exit(failed === 0 ? 0 : 1);
