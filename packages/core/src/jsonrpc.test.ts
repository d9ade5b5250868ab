import { describe, expect, it } from 'vitest';
import { classifyFrame, routeOf } from './jsonrpc.js';

const frames: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } },
  { jsonrpc: '2.0', id: 'a', method: 'ping' },
  { jsonrpc: '2.0', id: undefined, method: 'ping' },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 2 } },
  { jsonrpc: '2.0', id: 1, result: {} },
  { jsonrpc: '2.0', id: 'x', error: { code: -32600, message: 'no' } },
  { jsonrpc: '2.0', id: 1.5, method: 'ping' },
  { jsonrpc: '2.0', id: null, method: 'ping' },
  { jsonrpc: '2.0', id: 1, method: '' },
  { jsonrpc: '2.0', id: 1, method: 7 },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: null },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: 'x' },
  { jsonrpc: '1.0', id: 1, method: 'ping' },
  { id: 1, method: 'ping' },
  { jsonrpc: '2.0', id: null, result: {} },
  { jsonrpc: '2.0', id: 1, result: null },
  { jsonrpc: '2.0', id: 1, result: 'x' },
  { jsonrpc: '2.0', id: 1, error: { code: '1', message: 'x' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1 } },
  { jsonrpc: '2.0', id: 1, error: null },
  { jsonrpc: '2.0', id: 1 },
  [{ jsonrpc: '2.0', id: 1, method: 'ping' }],
  null,
  'text',
  42,
  undefined,
];

describe('routeOf', () => {
  it("is classifyFrame's kind for well-formed frames and undefined for malformed ones", () => {
    for (const frame of frames) {
      const classified = classifyFrame(frame);
      expect([frame, routeOf(frame)]).toEqual([frame, classified.kind === 'malformed' ? undefined : classified.kind]);
    }
  });
});
