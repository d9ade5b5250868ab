import { describe, expect, it } from 'vitest';
import { DEFAULT_SENSITIVE_KEYS, isSensitiveKey, redactedJson, redactSensitive, sensitiveKeyMatcher, TRUNCATION_MARKER } from './sensitive-keys.js';

describe('isSensitiveKey', () => {
  it('matches the defaults case-insensitively, with any of - _ . as separators', () => {
    for (const key of ['password', 'PASSWORD', 'Passwd', 'access_token', 'accessToken', 'Refresh-Token', 'client_secret', 'clientSecret', 'api_key', 'apiKey', 'APIKEY', 'Authorization', 'cookie', 'Set-Cookie', 'credentials', 'private_key', 'privateKey', 'session.token']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
  });

  it('matches keys whose trailing words are a sensitive name', () => {
    for (const key of ['db_password', 'X-Api-Key', 'githubToken', 'webhook-secret', 'awsSecretAccessKey', 'proxy-authorization']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
  });

  it('leaves ordinary keys alone, and MCP fields that only look sensitive', () => {
    for (const key of ['name', 'maxTokens', 'tokenizer', 'passwordPolicy', 'secretName', 'progressToken', 'cursor', 'uri', 'arguments']) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });

  it('is extended by extra names, normalized the same way', () => {
    expect(isSensitiveKey('tenant_pin')).toBe(false);
    expect(isSensitiveKey('Tenant-PIN', ['tenant_pin'])).toBe(true);
    const matcher = sensitiveKeyMatcher(['ssn']);
    expect(matcher('user_ssn')).toBe(true);
    expect(matcher('password')).toBe(true);
  });

  it('rejects extra names that are not non-empty strings', () => {
    expect(() => sensitiveKeyMatcher([''])).toThrow(TypeError);
    expect(() => sensitiveKeyMatcher(['--'])).toThrow(TypeError);
    expect(() => sensitiveKeyMatcher([42 as unknown as string])).toThrow(TypeError);
  });

  it('lists the documented defaults', () => {
    expect(DEFAULT_SENSITIVE_KEYS).toEqual(expect.arrayContaining(['password', 'token', 'secret', 'api_key', 'authorization', 'cookie', 'set-cookie', 'credentials', 'private_key']));
  });
});

describe('redactSensitive', () => {
  it('replaces sensitive values at any depth and inside arrays, and never modifies the input', () => {
    const input = {
      user: 'ada',
      password: 'hunter2',
      nested: { deeper: { api_key: 'k-123', keep: 1 } },
      list: [{ token: 't-1' }, { token: 't-2', label: 'x' }, 'plain'],
      credentials: { user: 'u', pass: 'p' },
    };
    const before = structuredClone(input);
    const out = redactSensitive(input);
    expect(out).toEqual({
      user: 'ada',
      password: '[REDACTED]',
      nested: { deeper: { api_key: '[REDACTED]', keep: 1 } },
      list: [{ token: '[REDACTED]' }, { token: '[REDACTED]', label: 'x' }, 'plain'],
      credentials: '[REDACTED]',
    });
    expect(input).toEqual(before);
    expect(out.nested).not.toBe(input.nested);
  });

  it('is cycle-safe and depth-capped', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;
    expect(redactSensitive(loop)).toEqual({ name: 'loop', self: '[Circular]' });
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(redactSensitive(deep, undefined, { maxDepth: 2 })).toEqual({ a: { b: '[Truncated]' } });
  });

  it('keeps a value shared by two branches (not a cycle)', () => {
    const shared = { secret: 's', ok: true };
    expect(redactSensitive({ a: shared, b: shared })).toEqual({ a: { secret: '[REDACTED]', ok: true }, b: { secret: '[REDACTED]', ok: true } });
  });

  it('uses extra keys', () => {
    expect(redactSensitive({ ssn: '123', name: 'n' }, ['ssn'])).toEqual({ ssn: '[REDACTED]', name: 'n' });
  });
});

describe('redactedJson', () => {
  it('serializes like JSON.stringify with sensitive values redacted', () => {
    const value = { a: [1, 'two', null, true], b: { password: 'p', c: undefined, d: 1.5 }, e: Number.NaN };
    expect(redactedJson(value)).toBe(JSON.stringify({ a: [1, 'two', null, true], b: { password: '[REDACTED]', d: 1.5 }, e: null }));
  });

  it('cuts the output at maxLength and marks it', () => {
    const json = redactedJson({ data: 'x'.repeat(10_000), token: 'secret-value' }, undefined, { maxLength: 50 });
    expect(json).toHaveLength(50 + TRUNCATION_MARKER.length);
    expect(json.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(json.startsWith('{"data":"xxx')).toBe(true);
  });

  it('leaves output that fits untouched', () => {
    expect(redactedJson({ a: 1 }, undefined, { maxLength: 7 })).toBe('{"a":1}');
  });

  it('marks cycles and deep nesting instead of throwing', () => {
    const loop: Record<string, unknown> = {};
    loop['me'] = loop;
    expect(redactedJson(loop)).toBe('{"me":"[Circular]"}');
    expect(redactedJson({ a: { b: { c: 1 } } }, undefined, { maxDepth: 2 })).toBe('{"a":{"b":"[Truncated]"}}');
  });
});
