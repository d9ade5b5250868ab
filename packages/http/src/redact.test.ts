import { describe, expect, it } from 'vitest';
import { createRedactor, defaultRedactor } from './redact.js';

describe('redactor', () => {
  it('redacts the default credential headers and the configured ones, keeping the auth scheme', () => {
    const redactor = createRedactor({ headers: ['X-Tenant-Secret'] });
    expect(
      redactor.headers({
        Authorization: 'Bearer abc',
        'proxy-authorization': 'Basic xyz',
        cookie: 'a=1',
        'set-cookie': ['b=2', 'c=3'],
        'x-api-key': 'k',
        'x-auth-token': 't',
        'x-tenant-secret': 's',
        accept: 'text/event-stream',
      }),
    ).toEqual({
      authorization: 'Bearer [REDACTED]',
      'proxy-authorization': 'Basic [REDACTED]',
      cookie: '[REDACTED]',
      'set-cookie': '[REDACTED]',
      'x-api-key': '[REDACTED]',
      'x-auth-token': '[REDACTED]',
      'x-tenant-secret': '[REDACTED]',
      accept: 'text/event-stream',
    });
    expect(createRedactor({ showAuthScheme: false }).headers({ authorization: 'Bearer abc' })).toEqual({ authorization: '[REDACTED]' });
    // A value that is not "scheme token" shows nothing of itself.
    expect(defaultRedactor.headers({ authorization: 'justasecret' })).toEqual({ authorization: '[REDACTED]' });
  });

  it('redacts query values by key, any case or spelling, and userinfo and fragments', () => {
    expect(defaultRedactor.url('/mcp?api_key=1&apiKey=2&ACCESS_TOKEN=3&page=4&code=5&key=6&sig=7&password=8&x')).toBe(
      '/mcp?api_key=[REDACTED]&apiKey=[REDACTED]&ACCESS_TOKEN=[REDACTED]&page=4&code=[REDACTED]&key=[REDACTED]&sig=[REDACTED]&password=[REDACTED]&x',
    );
    expect(defaultRedactor.url('https://user:pw@host.example/p?q=1#frag')).toBe('https://[REDACTED]@host.example/p?q=1#[REDACTED]');
    expect(defaultRedactor.url('/mcp?%74oken=abc')).toBe('/mcp?%74oken=[REDACTED]');
    expect(createRedactor({ keys: ['tenant'] }).url('/mcp?tenant=acme')).toBe('/mcp?tenant=[REDACTED]');
    expect(defaultRedactor.url('/mcp')).toBe('/mcp');
  });

  it('redacts JSON values under sensitive keys at any depth without touching the input', () => {
    const input = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'login', arguments: { user: 'a', password: 'p', nested: [{ clientSecret: 's', refresh_token: 'r' }] }, _meta: { progressToken: 7 } },
      error: { code: -1 },
    };
    const copy = structuredClone(input);
    expect(defaultRedactor.value(input)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'login', arguments: { user: 'a', password: '[REDACTED]', nested: [{ clientSecret: '[REDACTED]', refresh_token: '[REDACTED]' }] }, _meta: { progressToken: 7 } },
      error: { code: -1 },
    });
    expect(input).toEqual(copy);
    expect(createRedactor({ keys: ['ssn'] }).value({ ssn: '1', SSN: '2' })).toEqual({ ssn: '[REDACTED]', SSN: '[REDACTED]' });
  });

  it('redacts form bodies by key', () => {
    expect(defaultRedactor.form('grant_type=client_credentials&client_secret=s&scope=a+b')).toBe('grant_type=client_credentials&client_secret=[REDACTED]&scope=a+b');
  });
});
