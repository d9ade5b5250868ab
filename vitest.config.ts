import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@mcp-interceptors\/core\/options$/, replacement: src('./packages/core/src/options.ts') },
      { find: /^@mcp-interceptors\/core\/testing$/, replacement: src('./packages/core/src/testing.ts') },
      { find: /^@mcp-interceptors\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@mcp-interceptors\/presets$/, replacement: src('./packages/presets/src/index.ts') },
      { find: /^@mcp-interceptors\/http$/, replacement: src('./packages/http/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
