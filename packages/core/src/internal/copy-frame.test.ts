import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { copyMembersOf, copyMessage, copyParamsOf, copyResponse, copyTopLevel, extensibleCopy } from './copy-frame.js';

describe('extensibleCopy', () => {
  it('copies own enumerable members, symbols included, into a new plain object', () => {
    const symbol = Symbol('s');
    const source = Object.defineProperty({ a: 1, b: { c: 2 }, [symbol]: 3 }, 'hidden', { value: 4, enumerable: false });
    const copy = extensibleCopy(source);
    expect(copy).not.toBe(source);
    expect(copy).toEqual({ a: 1, b: { c: 2 }, [symbol]: 3 });
    expect(copy.b).toBe(source.b);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('keeps an own __proto__ key as a key, never as the prototype', () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as JsonObject;
    const copy = extensibleCopy(source);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(source));
  });
});

describe('frame copies', () => {
  const request = (): JsonRpcRequest => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: { a: 1 }, _meta: { progressToken: 7 } } });

  it('copies a request, its params and their _meta one level, in the order of the original', () => {
    for (const copy of [copyMessage(request()), copyParamsOf(copyTopLevel(request()) as unknown as JsonRpcRequest)]) {
      expect(JSON.stringify(copy)).toBe(JSON.stringify(request()));
    }
    const original = request();
    const copy = copyParamsOf(copyTopLevel(original) as unknown as JsonRpcRequest);
    expect(copy).not.toBe(original);
    expect(copy.params).not.toBe(original.params);
    expect(copy.params?.['_meta']).not.toBe(original.params?.['_meta']);
    expect(copy.params?.['arguments']).toBe(original.params?.['arguments']);
  });

  it('leaves a frame without params without params, and its copy can take some', () => {
    const original: JsonRpcRequest = { jsonrpc: '2.0', id: 2, method: 'ping' };
    const copy = copyParamsOf(copyTopLevel(original) as unknown as JsonRpcRequest);
    expect(copy).toEqual(original);
    expect('params' in copy).toBe(false);
    copy.params = { _meta: { k: 1 } };
    expect(original).toEqual({ jsonrpc: '2.0', id: 2, method: 'ping' });
  });

  it('copies a response, its result and _meta, or its error, one level', () => {
    const ok: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result: { content: [], _meta: { a: 1 } } };
    const failed: JsonRpcResponse = { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x', data: { reason: 'R' } } };
    for (const original of [ok, failed]) {
      for (const copy of [copyResponse(original), copyMembersOf(copyTopLevel(original) as unknown as JsonRpcResponse)]) {
        expect(copy).toEqual(original);
        expect(copy).not.toBe(original);
        if ('result' in copy && 'result' in original) {
          expect(copy.result).not.toBe(original.result);
          expect(copy.result['_meta']).not.toBe(original.result['_meta']);
          expect(copy.result['content']).toBe(original.result['content']);
        } else if ('error' in copy && 'error' in original) {
          expect(copy.error).not.toBe(original.error);
          expect(copy.error.data).toBe(original.error.data);
        }
      }
    }
  });

  it('copies nothing but objects at the top level', () => {
    for (const value of [null, undefined, 'x', 1, [1]]) expect(copyTopLevel(value)).toBeUndefined();
  });
});
