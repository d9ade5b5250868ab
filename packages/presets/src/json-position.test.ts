import { describe, expect, it } from 'vitest';
import { findJsonFault } from './json-position.js';

describe('findJsonFault', () => {
  it.each([
    ['{"a": [1, 2, {"b": null}], "c": "\\u00e9\\n", "d": -1.5e3, "e": true}'],
    ['  []  '],
    ['"text"'],
  ])('finds nothing wrong in %s', (text) => {
    expect(findJsonFault(text)).toBeUndefined();
  });

  it.each([
    ['{\n  "a": [,]\n}', { line: 2, column: 9, problem: 'unexpected ","' }],
    ['{"a": 1,}', { line: 1, column: 9, problem: 'expected a property name, got "}"' }],
    ["{'a': 1}", { line: 1, column: 2, problem: `expected a property name, got "'"` }],
    ['{"a": 1', { line: 1, column: 8, problem: 'unexpected end of input' }],
    ['{"a" 1}', { line: 1, column: 6, problem: 'unexpected "1"' }],
    ['[tru]', { line: 1, column: 2, problem: 'unexpected "t"' }],
    ['{"a": "x\ny"}', { line: 1, column: 9, problem: 'unescaped control character in a string' }],
    ['{"a": "\\q"}', { line: 1, column: 9, problem: 'bad escape in a string' }],
    ['[01]', { line: 1, column: 3, problem: 'unexpected "1"' }],
    ['{} {}', { line: 1, column: 4, problem: 'unexpected "{" after the value' }],
    ['', { line: 1, column: 1, problem: 'unexpected end of input' }],
  ])('locates the fault in %j', (text, fault) => {
    expect(findJsonFault(text)).toEqual(fault);
    expect(() => JSON.parse(text)).toThrow();
  });
});
