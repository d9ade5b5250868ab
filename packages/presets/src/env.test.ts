import { createChain, ErrorCode } from '@mcp-interceptors/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connectPair, type Pair } from '../../core/src/test-support/pair.js';
import { ConfigError } from './config-error.js';
import { ENV_VARIABLES, fromEnv } from './env.js';
import { development, production, stdio } from './presets.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('fromEnv', () => {
  it.each([
    [{ LOG_LEVEL: 'WARNING' }, { logging: { level: 'warn' } }],
    [{ LOG_LEVEL: 'Debug' }, { logging: { level: 'debug' } }],
    [{ LOG_INCLUDE_PAYLOADS: 'true', LOG_MAX_PAYLOAD_LENGTH: '1000' }, { logging: { includePayloads: true, maxPayloadLength: 1000 } }],
    [{ LOG_INCLUDE_PAYLOADS: 'off' }, { logging: { includePayloads: false } }],
    [{ RATE_LIMIT_PER_SECOND: '50.0' }, { rateLimit: { rate: 50, burst: 100 } }],
    [{ RATE_LIMIT_PER_SECOND: '0.25' }, { rateLimit: { rate: 0.25, burst: 1 } }],
    [{ RATE_LIMIT_PER_SECOND: '10', RATE_LIMIT_BURST: '15' }, { rateLimit: { rate: 10, burst: 15 } }],
    [{ SLOW_REQUEST_THRESHOLD_MS: '5000.0' }, { timing: { slowThresholdMs: 5000 } }],
    [{ REQUEST_TIMEOUT_MS: '0' }, { timeout: { defaultMs: 0 } }],
    [{ RETRY_MAX_ATTEMPTS: '5' }, { retry: { maxAttempts: 5 } }],
    [{ MASK_ERRORS: 'false' }, { errorHandling: { mode: 'development' } }],
    [{ MASK_ERRORS: '1' }, { errorHandling: { mode: 'production' } }],
    [{ MCP_TRACING: 'false', TRACE_PAYLOADS: 'true' }, { tracing: false }],
    [{ MCP_TRACING: 'true' }, { tracing: {} }],
    [{ MCP_TRACING: 'on', TRACE_PAYLOADS: 'true' }, { tracing: { recordPayloads: true } }],
    [{ REQUEST_TIMEOUT_MS: '2147483647' }, { timeout: { defaultMs: 2147483647 } }],
    [{ TRACE_PAYLOADS: 'yes' }, { tracing: { recordPayloads: true } }],
    [{ LOG_LEVEL: '', RATE_LIMIT_PER_SECOND: '   ', UNRELATED: 'x' }, {}],
    [{}, {}],
  ])('%j → %j', (env, expected) => {
    expect(fromEnv(env)).toEqual(expected);
  });

  it.each([
    ['LOG_LEVEL', 'verbose', 'expected one of debug, info, warn (or warning), error; case-insensitive, got "verbose"'],
    ['LOG_INCLUDE_PAYLOADS', 'maybe', 'expected true or false (also 1/0, yes/no, on/off), got "maybe"'],
    ['LOG_MAX_PAYLOAD_LENGTH', '1e3', 'expected a whole number of characters ≥ 1, e.g. 1000, got "1e3"'],
    ['LOG_MAX_PAYLOAD_LENGTH', '0', 'expected a whole number of characters ≥ 1, e.g. 1000, got "0"'],
    ['RATE_LIMIT_PER_SECOND', 'fast', 'expected a number of requests per second > 0, e.g. 50 or 0.5, got "fast"'],
    ['RATE_LIMIT_PER_SECOND', '0', 'expected a number of requests per second > 0, e.g. 50 or 0.5, got "0"'],
    ['RATE_LIMIT_PER_SECOND', '-3', 'expected a number of requests per second > 0, e.g. 50 or 0.5, got "-3"'],
    ['RATE_LIMIT_BURST', '0.5', 'expected a number of requests ≥ 1, e.g. 100, got "0.5"'],
    ['SLOW_REQUEST_THRESHOLD_MS', '5s', 'expected a number of milliseconds ≥ 0, e.g. 5000, got "5s"'],
    ['REQUEST_TIMEOUT_MS', '2.5', 'expected a whole number of milliseconds from 0 (no deadline) to 2147483647, e.g. 30000, got "2.5"'],
    ['REQUEST_TIMEOUT_MS', '2147483648', 'expected a whole number of milliseconds from 0 (no deadline) to 2147483647, e.g. 30000, got "2147483648"'],
    ['RATE_LIMIT_PER_SECOND', '1e308', 'expected a number of requests per second > 0, e.g. 50 or 0.5, got "1e308"'],
    ['RETRY_MAX_ATTEMPTS', '0', 'expected a whole number ≥ 1 (1: never retry), e.g. 3, got "0"'],
    ['MASK_ERRORS', 'TRUEE', 'expected true or false (also 1/0, yes/no, on/off), got "TRUEE"'],
    ['MCP_TRACING', 'enabled', 'expected true or false (also 1/0, yes/no, on/off), got "enabled"'],
    ['TRACE_PAYLOADS', '2', 'expected true or false (also 1/0, yes/no, on/off), got "2"'],
  ])('rejects %s=%s naming the variable and what it expects', (name, value, message) => {
    const error = (() => {
      try {
        fromEnv({ [name]: value });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`Invalid environment: ${name}: ${message}`);
    expect((error as ConfigError).issues).toEqual([{ path: name, message }]);
  });

  it('reports every bad variable at once', () => {
    expect(() => fromEnv({ LOG_LEVEL: 'loud', RATE_LIMIT_PER_SECOND: 'x', SLOW_REQUEST_THRESHOLD_MS: '100' })).toThrow(
      'Invalid environment (2 problems):\n  LOG_LEVEL: expected one of debug, info, warn (or warning), error; case-insensitive, got "loud"\n  RATE_LIMIT_PER_SECOND: expected a number of requests per second > 0, e.g. 50 or 0.5, got "x"',
    );
  });

  it('rejects a value that is not a string (an env object built by hand) rather than ignoring it', () => {
    expect(() => fromEnv({ RATE_LIMIT_PER_SECOND: 50, MASK_ERRORS: true } as never)).toThrow(
      'Invalid environment (2 problems):\n  RATE_LIMIT_PER_SECOND: expected a string (environment variables are text): a number of requests per second > 0, e.g. 50 or 0.5, got the number 50\n  MASK_ERRORS: expected a string (environment variables are text): true or false (also 1/0, yes/no, on/off), got the boolean true',
    );
  });

  it('MCP_TRACING=true adds tracing to a preset without it; false removes it from one with it', () => {
    expect(stdio(fromEnv({ MCP_TRACING: 'true' })).map((i) => i.name)).toContain('tracing');
    expect(stdio(fromEnv({})).map((i) => i.name)).not.toContain('tracing');
    expect(production(fromEnv({ MCP_TRACING: 'false' })).map((i) => i.name)).not.toContain('tracing');
  });

  it('accepts only values the interceptors accept: the longest timeout a timer holds, a rate whose burst is finite', () => {
    expect(() => production(fromEnv({ REQUEST_TIMEOUT_MS: '2147483647', RATE_LIMIT_PER_SECOND: '1e300' }))).not.toThrow();
  });

  it('rejects an env that is not an object', () => {
    expect(() => fromEnv(null as never)).toThrow('fromEnv: env must be an object of variables, e.g. process.env');
  });

  it('documents every variable it reads', () => {
    expect(ENV_VARIABLES.map((v) => v.name)).toEqual([
      'LOG_LEVEL',
      'LOG_INCLUDE_PAYLOADS',
      'LOG_MAX_PAYLOAD_LENGTH',
      'RATE_LIMIT_PER_SECOND',
      'RATE_LIMIT_BURST',
      'SLOW_REQUEST_THRESHOLD_MS',
      'REQUEST_TIMEOUT_MS',
      'RETRY_MAX_ATTEMPTS',
      'MASK_ERRORS',
      'MCP_TRACING',
      'TRACE_PAYLOADS',
    ]);
  });
});

describe('fromEnv with a preset', () => {
  it('limits a server to RATE_LIMIT_PER_SECOND with a burst of twice that', async () => {
    pair = await connectPair({ serverChain: production({ ...fromEnv({ RATE_LIMIT_PER_SECOND: '0.001' }), logging: false, timing: false }) });
    await pair.client.callTool({ name: 'echo', arguments: { text: '1' } });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: '2' } })).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('turns tracing off with MCP_TRACING=false and adds a rate limit to a preset without one', () => {
    expect(createChain(production(fromEnv({ MCP_TRACING: 'false' }))).describe().map((e) => e.name)).not.toContain('tracing');
    expect(createChain(development(fromEnv({ RATE_LIMIT_PER_SECOND: '5' }))).describe().map((e) => e.name)).toContain('rate-limit');
  });

  it('shows internal error details when MASK_ERRORS=false', async () => {
    pair = await connectPair({ serverChain: production({ ...fromEnv({ MASK_ERRORS: 'false' }), logging: false, timing: false }) });
    const result = await pair.client.callTool({ name: 'fail', arguments: {} });
    expect(JSON.stringify(result.content)).toContain('tool exploded');
  });
});
