import { describe, expect, it } from 'vitest';
import { childPath, suggest, validateJson, type JsonSchema } from './json-schema.js';

describe('validateJson', () => {
  const schema: JsonSchema = {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      tags: { type: 'array', minItems: 1, items: { type: 'string' } },
      limits: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
      mode: { anyOf: [{ enum: ['a', 'b'] }, { type: 'integer', minimum: 0, maximum: 4 }] },
    },
    additionalProperties: false,
  };

  it('accepts a conforming value', () => {
    expect(validateJson(schema, { name: 'x', tags: ['t'], limits: { 'odd key': 3 }, mode: 2 })).toEqual([]);
  });

  it('reports each problem at its path', () => {
    expect(validateJson(schema, { tags: [], limits: { 'odd key': -1, ok: 1.5 }, mode: 'c', nam: 'x' })).toEqual([
      { path: '$.name', message: 'is required' },
      { path: '$.tags', message: 'expected at least 1 item, got 0' },
      { path: '$.limits["odd key"]', message: 'expected a number ≥ 0, got -1' },
      { path: '$.limits.ok', message: 'expected an integer ≥ 0, got 1.5' },
      { path: '$.mode', message: 'expected one of "a", "b" or an integer ≥ 0 and ≤ 4, got "c"' },
      { path: '$.nam', message: 'unknown property "nam" (did you mean "name"?); expected one of: name, tags, limits, mode' },
    ]);
  });

  it('treats NaN and Infinity as not numbers and describes odd values', () => {
    expect(validateJson({ type: 'number' }, Number.POSITIVE_INFINITY)).toEqual([{ path: '$', message: 'expected a number, got Infinity' }]);
    expect(validateJson({ type: 'string' }, null)).toEqual([{ path: '$', message: 'expected a string, got null' }]);
    expect(validateJson({ type: ['string', 'null'] }, null)).toEqual([]);
  });
});

describe('childPath and suggest', () => {
  it('writes identifiers with a dot and anything else in brackets', () => {
    expect(childPath('$', 'a')).toBe('$.a');
    expect(childPath('$.a', 2)).toBe('$.a[2]');
    expect(childPath('$', '$schema')).toBe('$.$schema');
    expect(childPath('$', 'a.b')).toBe('$["a.b"]');
  });

  it('suggests a name within two edits only', () => {
    expect(suggest('rate-limt', ['rate-limit', 'retry'])).toBe(' (did you mean "rate-limit"?)');
    expect(suggest('xyz', ['rate-limit'])).toBe('');
  });
});
