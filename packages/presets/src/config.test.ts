import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChain, ErrorCode, InterceptorError, Priority, type Interceptor } from '@mcp-interceptors/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectPair, type Pair } from '../../core/src/test-support/pair.js';
import { chainFromConfig, loadConfig } from './config.js';
import { ConfigError } from './config-error.js';
import { production } from './presets.js';
import { createRegistry } from './registry.js';

const dir = mkdtempSync(join(tmpdir(), 'mcpi-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const describeChain = (list: Interceptor[]): string[] => createChain(list).describe().map((e) => `${e.name}:${e.priorityName}`);

/** The error thrown by `run`, which must be a ConfigError. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** A user's own interceptor: refuses tools/call for tools not in `allow`. */
const toolGate = (options: Record<string, unknown> | undefined): Interceptor => {
  const allow = new Set((options?.['allow'] as string[] | undefined) ?? []);
  return {
    name: 'tool-gate',
    priority: Priority.High,
    onRequest: (req) => {
      if (req.method === 'tools/call' && !allow.has(String(req.params?.['name']))) throw new InterceptorError(ErrorCode.AccessDenied, 'Tool not allowed', { reason: 'ACCESS_DENIED' });
    },
  };
};

describe('chainFromConfig', () => {
  it('starts from a preset, overrides a member in place (options merged, priority moved) and removes another', () => {
    const list = chainFromConfig({
      preset: 'production',
      interceptors: [
        { use: 'rate-limit', priority: 'Normal', options: { rate: 100 } },
        { use: 'circuit-breaker', enabled: false },
        { use: 'logging', options: { level: 'warn' } },
      ],
    });
    expect(describeChain(list)).toEqual([
      'error-handling:Critical',
      'request-id:Critical',
      'tracing:Critical',
      'payload-limit:Critical',
      'validation:Critical',
      'concurrency:High',
      'timeout:High',
      'rate-limit:Normal',
      'logging:Low',
      'timing:Low',
      'metrics:Low',
    ]);
  });

  it("keeps the preset's other defaults for an overridden member (server rate limit per client, inbound only)", async () => {
    const serverChain = chainFromConfig({ preset: 'http', interceptors: [{ use: 'rate-limit', options: { rate: 0.001, burst: 1 } }, { use: 'logging', enabled: false }] });
    pair = await connectPair({ serverChain });
    await pair.client.callTool({ name: 'echo', arguments: { text: '1' } });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: '2' } })).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { scope: 'client' } });
  });

  it('switches a preset rate limit to a sliding window or to rules (the token bucket defaults give way)', async () => {
    const serverChain = chainFromConfig({ preset: 'production', interceptors: [{ use: 'rate-limit', options: { limit: 2, windowMs: 60_000 } }, { use: 'logging', enabled: false }] });
    pair = await connectPair({ serverChain });
    await pair.client.callTool({ name: 'echo', arguments: { text: '1' } });
    await pair.client.callTool({ name: 'echo', arguments: { text: '2' } });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: '3' } })).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { scope: 'client' } });
    expect(() => chainFromConfig({ preset: 'http', interceptors: [{ use: 'rate-limit', options: { rules: [{ scope: 'tool', limit: 5, windowMs: 1000 }] } }] })).not.toThrow();
    expect(() => production({ rateLimit: { limit: 100, windowMs: 1000 } })).not.toThrow();
    expect(() => production({ rateLimit: { rules: [{ scope: 'global', rate: 5, burst: 5 }] } })).not.toThrow();
    // Switching algorithm drops the other algorithm's overrides too (the environment's token bucket over a window).
    expect(() => chainFromConfig({ preset: 'http', interceptors: [{ use: 'rate-limit', options: { limit: 5, windowMs: 1000, overrides: { a: { limit: 1 } } } }] }, { env: { RATE_LIMIT_PER_SECOND: '5' } })).not.toThrow();
    // Both algorithms in one override is still the user's mistake.
    expect(() => chainFromConfig({ preset: 'http', interceptors: [{ use: 'rate-limit', options: { rate: 5, limit: 5, windowMs: 1000 } }] })).toThrow('give rate/burst (token bucket) or limit/windowMs (sliding window), not both');
  });

  it('builds exactly the listed interceptors without a preset, including registered ones of the user', async () => {
    const registry = createRegistry().register('tool-gate', toolGate, {
      options: { type: 'object', properties: { allow: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
    });
    const serverChain = chainFromConfig({ interceptors: [{ use: 'request-id' }, { use: 'tool-gate', options: { allow: ['echo'] } }] }, { registry });
    expect(describeChain(serverChain)).toEqual(['request-id:Critical', 'tool-gate:High']);
    pair = await connectPair({ serverChain });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'ok' } });
    await expect(pair.client.callTool({ name: 'fail', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.AccessDenied, data: { interceptor: 'tool-gate' } });
    expect(pair.handlerCalls).toEqual(['echo:ok']);
  });

  it('builds the client side of a preset', () => {
    expect(describeChain(chainFromConfig({ preset: 'stdio', side: 'client' }))).toContain('retry:High');
  });

  it('applies the environment on top of the file when env is given', () => {
    const list = chainFromConfig({ preset: 'production', interceptors: [{ use: 'tracing', options: { recordPayloads: true } }] }, { env: { MCP_TRACING: 'false' } });
    expect(describeChain(list)).not.toContain('tracing:Critical');
    expect(() => chainFromConfig({ preset: 'stdio' }, { env: { LOG_LEVEL: 'chatty' } })).toThrow('Invalid environment: LOG_LEVEL');
  });

  it.each([
    ['a config that is not an object', [], '$', 'expected an object, got an array'],
    ['an unknown top-level key', { presets: 'production' }, '$.presets', 'unknown property "presets" (did you mean "preset"?); expected one of: $schema, preset, side, interceptors'],
    ['an unknown preset', { preset: 'prod' }, '$.preset', 'expected one of "stdio", "http", "development", "production", got "prod"'],
    ['a bad side', { side: 'both' }, '$.side', 'expected one of "server", "client", got "both"'],
    ['interceptors that are not an array', { interceptors: {} }, '$.interceptors', 'expected an array of objects, got an object'],
    ['an entry without use', { interceptors: [{ options: {} }] }, '$.interceptors[0].use', 'is required'],
    ['an unknown entry key', { interceptors: [{ use: 'logging', option: {} }] }, '$.interceptors[0].option', 'unknown property "option" (did you mean "options"?); expected one of: use, options, priority, enabled'],
    ['a bad priority', { interceptors: [{ use: 'logging', priority: 'Urgent' }] }, '$.interceptors[0].priority', 'expected one of "Critical", "High", "Normal", "Low", "Lowest" or an integer ≥ 0 and ≤ 4, got "Urgent"'],
    ['an unknown interceptor name', { interceptors: [{ use: 'rate-limt' }] }, '$.interceptors[0].use', 'no interceptor is registered as "rate-limt" (did you mean "rate-limit"?); registered: access-policy, cache, circuit-breaker, concurrency'],
    ['an unknown option', { interceptors: [{ use: 'rate-limit', options: { rat: 5 } }] }, '$.interceptors[0].options.rat', 'unknown property "rat" (did you mean "rate"?); expected one of: scope, rate, burst'],
    ['an option of the wrong type', { interceptors: [{ use: 'rate-limit', options: { rate: 'fast' } }] }, '$.interceptors[0].options.rate', 'expected a number > 0, got "fast"'],
    ['an option out of range', { interceptors: [{ use: 'logging', options: { maxPayloadLength: 0 } }] }, '$.interceptors[0].options.maxPayloadLength', 'expected a number ≥ 1, got 0'],
    ['a bad enum option', { interceptors: [{ use: 'logging', options: { level: 'verbose' } }] }, '$.interceptors[0].options.level', 'expected one of "debug", "info", "warn", "error", got "verbose"'],
    ['a bad nested option', { interceptors: [{ use: 'rate-limit', options: { rules: [{ scope: 'user' }] } }] }, '$.interceptors[0].options.rules[0].scope', 'expected one of "global", "client", "method", "tool", "tenant", got "user"'],
    ['an option the factory rejects', { interceptors: [{ use: 'retry', options: { baseDelayMs: 50, maxDelayMs: 10 } }] }, '$.interceptors[0].options.maxDelayMs', 'retry.maxDelayMs (10) must not be less than retry.baseDelayMs (50)'],
    ['the same interceptor twice', { interceptors: [{ use: 'logging' }, { use: 'logging' }] }, '$.interceptors[1].use', '"logging" is already configured at $.interceptors[0]; configure each interceptor once'],
    ['removing a non-member', { preset: 'stdio', interceptors: [{ use: 'rate-limit', enabled: false }] }, '$.interceptors[0].enabled', '"rate-limit" is not a member of the stdio preset, so there is nothing to remove'],
    ['a priority out of range (every alternative named)', { interceptors: [{ use: 'logging', priority: 7 }] }, '$.interceptors[0].priority', 'expected one of "Critical", "High", "Normal", "Low", "Lowest" or an integer ≥ 0 and ≤ 4, got 7'],
    ['a bad value inside an object that anyOf allows', { interceptors: [{ use: 'access-policy', options: { defaultEffect: { tool: 'maybe' } } }] }, '$.interceptors[0].options.defaultEffect.tool', 'expected one of "allow", "deny", got "maybe"'],
    ['options beside enabled: false', { preset: 'stdio', interceptors: [{ use: 'logging', enabled: false, options: { level: 'warn' } }] }, '$.interceptors[0].options', 'has no effect: "enabled": false removes "logging"; drop "options" or "enabled"'],
    ['a factory option path with a quoted key', { interceptors: [{ use: 'rate-limit', options: { rate: 5, overrides: { a: { limit: 2 } } } }] }, '$.interceptors[0].options.overrides["a"]', 'rateLimit.overrides["a"]: the rule is a token-bucket, so override rate/burst'],
  ])('rejects %s at its JSON path', (_label, config, path, message) => {
    const error = configError(() => chainFromConfig(config));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.issues[0]?.message).toContain(message);
    expect(error.message).toContain(`Invalid config: ${path}: `);
  });

  it('reports every mistake of a file at once', () => {
    const error = configError(() => chainFromConfig({ preset: 'production', interceptors: [{ use: 'rate-limt' }, { use: 'logging', options: { level: 1 } }] }, { source: 'chain.json' }));
    expect(error.issues.map((i) => i.path)).toEqual(['$.interceptors[0].use', '$.interceptors[1].options.level']);
    expect(error.message).toMatch(/^Invalid chain\.json \(2 problems\):\n {2}\$\.interceptors\[0\]\.use: no interceptor/);
  });

  it('reports every factory that fails, each at its entry, whatever it throws', () => {
    const registry = createRegistry()
      .register('needs-header', (options) => {
        if (typeof options?.['header'] !== 'string') throw new TypeError('header must be a string');
        return { name: 'needs-header', onRequest: () => undefined };
      })
      .register('crashes', () => {
        throw new Error('boom');
      })
      .register('throws-oddly', () => {
        throw Object.create(null);
      });
    const error = configError(() => chainFromConfig({ interceptors: [{ use: 'needs-header' }, { use: 'retry', options: { baseDelayMs: 50, maxDelayMs: 10 } }, { use: 'crashes' }, { use: 'throws-oddly' }] }, { registry }));
    expect(error.issues).toEqual([
      { path: '$.interceptors[0].options', message: 'header must be a string' },
      { path: '$.interceptors[1].options.maxDelayMs', message: 'retry.maxDelayMs (10) must not be less than retry.baseDelayMs (50)' },
      { path: '$.interceptors[2].options', message: '"crashes" failed to build: boom' },
      { path: '$.interceptors[3].options', message: '"throws-oddly" failed to build: a value that is not an Error (object)' },
    ]);
  });

  it('rejects a factory that returns something other than an interceptor, at its entry', () => {
    const registry = createRegistry().register('nothing', () => undefined as never);
    for (const entry of [{ use: 'nothing' }, { use: 'nothing', priority: 'High' }]) {
      const error = configError(() => chainFromConfig({ interceptors: [entry] }, { registry }));
      expect(error.issues).toEqual([{ path: '$.interceptors[0].use', message: 'the factory registered as "nothing" returned undefined, not an interceptor (an object with a name)' }]);
    }
  });

  it('without a preset, the environment tunes or removes the listed members and adds none', () => {
    const list = chainFromConfig({ interceptors: [{ use: 'cache' }, { use: 'logging' }] }, { env: { LOG_LEVEL: 'warn', RETRY_MAX_ATTEMPTS: '3', MCP_TRACING: 'true' } });
    expect(describeChain(list).map((entry) => entry.split(':')[0])).toEqual(['cache', 'logging']);
    const untraced = chainFromConfig({ interceptors: [{ use: 'tracing' }, { use: 'logging' }] }, { env: { MCP_TRACING: 'false' } });
    expect(describeChain(untraced).map((entry) => entry.split(':')[0])).toEqual(['logging']);
    expect(() => chainFromConfig({ interceptors: [{ use: 'logging' }] }, { env: { LOG_LEVEL: 'chatty' } })).toThrow('Invalid environment: LOG_LEVEL');
  });

  it('checks the options of a registered factory against the schema it gave', () => {
    const registry = createRegistry().register('tool-gate', toolGate, { options: { type: 'object', properties: { allow: { type: 'array', items: { type: 'string' } } }, additionalProperties: false } });
    const error = configError(() => chainFromConfig({ interceptors: [{ use: 'tool-gate', options: { allow: ['a', 2] } }] }, { registry }));
    expect(error.issues).toEqual([{ path: '$.interceptors[0].options.allow[1]', message: 'expected a string, got 2' }]);
  });
});

describe('loadConfig', () => {
  it('reads a JSON file and builds its chain', async () => {
    const path = join(dir, 'chain.json');
    writeFileSync(path, JSON.stringify({ $schema: './node_modules/@mcp-interceptors/presets/config.schema.json', preset: 'stdio', interceptors: [{ use: 'timing', enabled: false }] }));
    expect(describeChain(await loadConfig(path))).toEqual(['error-handling:Critical', 'request-id:Critical', 'validation:Critical', 'timeout:High', 'logging:Low', 'metrics:Low']);
  });

  it('names the file and the line and column of a JSON syntax error', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{\n  "preset": "stdio",\n  "interceptors": [,]\n}');
    await expect(loadConfig(path)).rejects.toThrow(`Invalid ${path}: $: not valid JSON: unexpected "," at line 3, column 20`);
  });

  it('names the file in a schema error', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ preset: 'prod' }));
    await expect(loadConfig(path)).rejects.toThrow(`Invalid ${path}: $.preset: expected one of "stdio", "http", "development", "production", got "prod"`);
  });

  it('fails clearly on a missing file, a directory and a bad path argument', async () => {
    const missing = join(dir, 'missing.json');
    await expect(loadConfig(missing)).rejects.toThrow(new RegExp(`^Invalid ${missing}: \\$: cannot be read: ENOENT`));
    await expect(loadConfig(missing)).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(dir)).rejects.toThrow(`Invalid ${dir}: $: cannot be read: EISDIR`);
    await expect(loadConfig('' as string)).rejects.toThrow('loadConfig: path must be a non-empty string, got ""');
  });

  it('reads a file that starts with a byte order mark', async () => {
    const path = join(dir, 'bom.json');
    writeFileSync(path, `\uFEFF${JSON.stringify({ preset: 'stdio' })}`);
    expect(describeChain(await loadConfig(path))).toContain('logging:Low');
  });

  it('rejects a key given twice in one object, with its line and column (JSON.parse would keep the last)', async () => {
    const path = join(dir, 'twice.json');
    writeFileSync(path, '{\n  "preset": "production",\n  "interceptors": [],\n  "preset": "stdio"\n}');
    await expect(loadConfig(path)).rejects.toThrow(`Invalid ${path}: $: the key "preset" given twice in one object (only the last would count) at line 4, column 3`);
  });

  it('reports JSON nested too deeply to read instead of overflowing', async () => {
    const path = join(dir, 'deep.json');
    writeFileSync(path, '['.repeat(200_000));
    await expect(loadConfig(path)).rejects.toThrow(/^Invalid .*deep\.json: \$: not valid JSON: nested too deeply to read at line 1, column \d+$/);
  });
});

describe('createRegistry', () => {
  it('holds the built-ins by name', () => {
    expect(createRegistry().names()).toEqual(expect.arrayContaining(['request-id', 'validation', 'error-handling', 'tracing', 'rate-limit', 'circuit-breaker', 'timeout', 'retry', 'cache', 'logging', 'timing', 'metrics']));
  });

  it.each([
    [() => createRegistry().register('Tool_Gate', toolGate), 'registry.register: name must be kebab-case, got "Tool_Gate"'],
    [() => createRegistry().register('tool-gate', 'nope' as never), 'registry.register: the factory of "tool-gate" must be a function'],
    [() => createRegistry().register('logging', toolGate), 'registry.register: "logging" is already registered; pass { replace: true } to replace it'],
    [() => createRegistry().register('tool-gate', toolGate, { options: 5 as never }), 'registry.register: options of "tool-gate" must be a JSON schema object'],
  ])('rejects a bad registration (%#)', (run, message) => {
    expect(run).toThrow(message);
  });

  it('refuses an options schema with keywords or types the validator would not enforce, naming each', () => {
    const schema = { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]+$' }, tags: { type: 'array', maxItems: 2, items: { type: 'strng' } } }, oneOf: [] };
    expect(() => createRegistry().register('strict', () => ({ name: 'strict', onRequest: () => undefined }), { options: schema as never })).toThrow(
      'registry.register: the options schema of "strict" uses what the config validator does not check, so values it forbids would pass:\n' +
        '  #: "oneOf" is not supported (supported: type, enum, minimum, exclusiveMinimum, maximum, minLength, items, minItems, properties, required, additionalProperties, anyOf)\n' +
        '  #/properties/name: "pattern" is not supported (supported: type, enum, minimum, exclusiveMinimum, maximum, minLength, items, minItems, properties, required, additionalProperties, anyOf)\n' +
        '  #/properties/tags: "maxItems" is not supported (supported: type, enum, minimum, exclusiveMinimum, maximum, minLength, items, minItems, properties, required, additionalProperties, anyOf)\n' +
        '  #/properties/tags/items/type: "strng" is not a JSON type (string, number, integer, boolean, object, array, null)',
    );
    expect(() => createRegistry().register('documented', () => ({ name: 'documented', onRequest: () => undefined }), { options: { type: 'object', description: 'd', properties: { n: { type: 'integer', default: 1, title: 'N' } } } })).not.toThrow();
  });

  it('holds built-in option schemas the validator enforces in full', async () => {
    const { BUILTINS } = await import('./builtins.js');
    const { unsupportedInSchema } = await import('./json-schema.js');
    for (const builtin of BUILTINS) expect(unsupportedInSchema(builtin.options), builtin.name).toEqual([]);
  });

  it('replaces a built-in when asked', () => {
    const registry = createRegistry().register('logging', toolGate, { replace: true });
    expect(describeChain(chainFromConfig({ interceptors: [{ use: 'logging' }] }, { registry }))).toEqual(['tool-gate:High']);
  });
});
