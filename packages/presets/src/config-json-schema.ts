// The config file's JSON Schema for editors (`"$schema"` in the file): the structure plus, for each registered
// interceptor, the options it accepts. Shipped as config.schema.json (kept equal to this by its test).
import { CONFIG_SCHEMA } from './config.js';
import type { JsonSchema } from './json-schema.js';
import { createRegistry, type InterceptorRegistry } from './registry.js';

/**
 * The full JSON Schema (2020-12) of a config file for `registry`'s interceptors.
 *
 * @example
 * writeFileSync('mcp-chain.schema.json', JSON.stringify(configJsonSchema(myRegistry), null, 2));
 */
export function configJsonSchema(registry: InterceptorRegistry = createRegistry()): Record<string, unknown> {
  const interceptors = CONFIG_SCHEMA.properties?.['interceptors'] as JsonSchema;
  const entry = interceptors.items as JsonSchema;
  const names = registry.names();
  return {
    ...CONFIG_SCHEMA,
    properties: {
      ...CONFIG_SCHEMA.properties,
      interceptors: {
        ...interceptors,
        items: {
          ...entry,
          properties: { ...entry.properties, use: { enum: names } },
          allOf: names.map((name) => ({ if: { properties: { use: { const: name } } }, then: { properties: { options: registry.get(name)?.options } } })),
        },
      },
    },
  };
}
