// Test support (not published): the README sections generated from the code (preset members from `describe()` and
// each member's preset options; the environment variables), so readme.test.ts can hold the README to the truth.
// Regenerate: node --import tsx packages/presets/src/test-support/readme-sections.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { createChain } from '@mcp-interceptors/core';
import { ENV_VARIABLES } from '../env.js';
import { PRESET_NAMES, preset, presetPlan } from '../presets.js';

const README = new URL('../../README.md', import.meta.url);

function showOptions(options: Record<string, unknown> | undefined): string {
  if (options === undefined || Object.keys(options).length === 0) return '(its defaults)';
  const shown = Object.entries(options).map(([key, value]) => `${key}: ${typeof value === 'function' ? value.name || 'function' : JSON.stringify(value)}`);
  return `\`{ ${shown.join(', ').replace(/"/g, "'")} }\``;
}

/** One table per preset and side: position, member, priority and the options the preset gives it. */
export function presetSection(): string {
  const blocks: string[] = [];
  for (const name of PRESET_NAMES) {
    for (const side of ['server', 'client'] as const) {
      const plan = presetPlan(name, side);
      const described = createChain(preset(name, { side })).describe();
      const rows = described.map((entry) => {
        const member = plan.find((m) => m.name === entry.name);
        return `| ${entry.position} | \`${entry.name}\` | ${entry.priorityName} | ${showOptions(member?.options)} |`;
      });
      blocks.push(`#### \`${name}({ side: '${side}' })\`\n\n| # | member | priority | preset options |\n|---|---|---|---|\n${rows.join('\n')}`);
    }
  }
  return blocks.join('\n\n');
}

export function envSection(): string {
  const rows = ENV_VARIABLES.map((v) => `| \`${v.name}\` | ${v.sets} | ${v.expected} | ${v.description} |`);
  return `| variable | sets | valid values | meaning |\n|---|---|---|---|\n${rows.join('\n')}`;
}

/** The README with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced by `body`. */
export function withSection(readme: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${start} … ${end} section`);
  return `${readme.slice(0, from + start.length)}\n${body}\n${readme.slice(to)}`;
}

export function readmeText(): string {
  return readFileSync(README, 'utf8');
}

export function generatedReadme(): string {
  return withSection(withSection(readmeText(), 'presets', presetSection()), 'env', envSection());
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  writeFileSync(README, generatedReadme());
}
