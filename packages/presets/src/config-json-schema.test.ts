import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './config-json-schema.js';
import { createRegistry } from './registry.js';

describe('configJsonSchema', () => {
  it('is what config.schema.json ships (regenerate: node --import tsx -e "…configJsonSchema()…")', () => {
    const shipped = JSON.parse(readFileSync(new URL('../config.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it("lists every registered name and each one's options", () => {
    const registry = createRegistry().register('tool-gate', () => ({ name: 'tool-gate', onRequest: () => undefined }), { options: { type: 'object', properties: { allow: { type: 'array' } } } });
    const schema = configJsonSchema(registry) as { properties: { interceptors: { items: { properties: { use: { enum: string[] } }; allOf: Array<{ if: unknown; then: unknown }> } } } };
    const items = schema.properties.interceptors.items;
    expect(items.properties.use.enum).toContain('tool-gate');
    expect(items.allOf).toContainEqual({ if: { properties: { use: { const: 'tool-gate' } } }, then: { properties: { options: { type: 'object', properties: { allow: { type: 'array' } } } } } });
  });
});
