import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl, sensitiveHeaderSet } from './redact-headers.js';
import { SessionState } from './session.js';
import { testContext } from './test-support/context.js';

describe('redactHeaders', () => {
  it('replaces credential headers, lower-cases names, keeps the rest and never mutates the input', () => {
    const input = { Authorization: 'Bearer s3cret', Cookie: 'sid=1', 'X-Trace': 'abc', Accept: ['a', 'b'], Missing: undefined };
    expect(redactHeaders(input)).toEqual({ authorization: '[REDACTED]', cookie: '[REDACTED]', 'x-trace': 'abc', accept: ['a', 'b'] });
    expect(input.Authorization).toBe('Bearer s3cret');
    expect(redactHeaders({ 'X-Tenant-Key': 'k' }, sensitiveHeaderSet(['X-Tenant-Key']))).toEqual({ 'x-tenant-key': '[REDACTED]' });
  });
});

describe('redactUrl', () => {
  it('replaces credential query values and keeps other parameters', () => {
    expect(redactUrl('http://h/mcp?access_token=abc&page=2&API_KEY=x')).toBe('http://h/mcp?page=2&access_token=%5BREDACTED%5D&API_KEY=%5BREDACTED%5D');
    expect(redactUrl(new URL('http://h/mcp?page=2'))).toBe('http://h/mcp?page=2');
    expect(redactUrl('http://h/mcp')).toBe('http://h/mcp');
  });

  it('is what ctx.http shows of an inbound request', () => {
    const ctx = testContext({
      session: new SessionState('server', 'http', () => undefined),
      requestInfo: { headers: { authorization: 'Bearer t0k3n' }, url: new URL('http://127.0.0.1/mcp?token=t0k3n') },
    });
    expect(JSON.stringify(ctx.http)).not.toContain('t0k3n');
    expect(ctx.http).toEqual({ url: 'http://127.0.0.1/mcp?token=%5BREDACTED%5D', headers: { authorization: '[REDACTED]' } });
  });
});
