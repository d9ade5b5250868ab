import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { generatedReadme, readmeText } from './test-support/readme-sections.js';

describe('README', () => {
  it('shows the presets as describe() resolves them and every environment variable fromEnv reads (regenerate: node --import tsx packages/presets/src/test-support/readme-sections.ts)', () => {
    expect(readmeText()).toBe(generatedReadme());
  });

  it('documents every export', () => {
    const exportsTable = readmeText().split('## Exports')[1]?.split('## ')[0] ?? '';
    for (const name of Object.keys(api)) expect(exportsTable, name).toContain(`\`${name}\``);
  });
});
