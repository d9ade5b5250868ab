import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('README', () => {
  it('shows the quick start exactly as examples/http-server/quick-start.ts (which the type check covers)', () => {
    expect(read('../README.md')).toContain('```ts\n' + read('../../../examples/http-server/quick-start.ts') + '```');
  });

  it('links a doc page for every built-in, and every link resolves', () => {
    const readme = read('../README.md');
    const links = [...readme.matchAll(/\]\((docs\/[a-z-]+\.md)\)/g)].map((m) => m[1] as string);
    for (const doc of ['cors', 'request-logger', 'security-headers', 'host-validation', 'bearer-auth', 'body-limit', 'health', 'mcp-endpoint', 'client-fetch', 'http-chain']) {
      expect(links).toContain(`docs/${doc}.md`);
    }
    for (const link of links) expect(read(`../${link}`).length).toBeGreaterThan(0);
  });
});
