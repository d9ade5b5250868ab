import { describe, expect, it } from 'vitest';
import { jsonLinesSink, levelForStatus } from './log-sink.js';

describe('jsonLinesSink', () => {
  it('writes one JSON object per line', () => {
    const written: string[] = [];
    const sink = jsonLinesSink({ write: (line) => written.push(line) });
    sink({ time: 't', level: 'info', event: 'http.server.request', status: 200 });
    sink({ time: 't', level: 'error', event: 'http.server.error', error: 'multi\nline' });
    expect(written).toEqual(['{"time":"t","level":"info","event":"http.server.request","status":200}\n', '{"time":"t","level":"error","event":"http.server.error","error":"multi\\nline"}\n']);
  });

  it('maps statuses to levels', () => {
    expect([200, 302, 401, 499, 500, 503].map(levelForStatus)).toEqual(['info', 'info', 'warn', 'warn', 'error', 'error']);
  });
});
