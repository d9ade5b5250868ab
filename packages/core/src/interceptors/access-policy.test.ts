import type { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createChain, type Chain } from '../chain.js';
import type { InterceptorContext } from '../context.js';
import { ErrorCode } from '../errors.js';
import type { JsonObject, JsonRpcRequest } from '../jsonrpc.js';
import { testContext } from '../test-support/context.js';
import { connectPair, type Pair } from '../test-support/pair.js';
import { runRequest } from '../testing.js';
import { accessPolicy, type AccessPolicyOptions } from './access-policy.js';

/**
 * The SDK Client never attaches auth; InMemoryTransport.send(msg, { authInfo }) delivers it as `extra.authInfo`.
 * So every frame the client sends carries whatever `current()` returns at that moment.
 */
function sendAs(pair: Pair, current: () => AuthInfo | undefined): void {
  const inner = pair.clientTransport.inner as InMemoryTransport;
  const send = inner.send.bind(inner);
  inner.send = (message, options) => send(message, { ...options, authInfo: current() });
}

/** Runs one inbound request through `chain` with `auth` on the context, as the transport sets it from extra.authInfo. */
async function runAs(chain: Chain, method: string, params: JsonObject, auth: AuthInfo | undefined, result: JsonObject = {}) {
  const request: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method, params };
  const ctx = testContext({ method, params, clock: chain.clock, metrics: chain.metrics, auth });
  const handled: JsonRpcRequest[] = [];
  const response = await chain.handleRequest(request, ctx, async (req) => {
    handled.push(req);
    return { jsonrpc: '2.0', id: req.id, result };
  });
  return { response, handled };
}

const auth = (roles: string[], scopes: string[] = []): AuthInfo => ({ token: 't', clientId: 'c', scopes, extra: { roles } });

const POLICY: AccessPolicyOptions = {
  rules: [
    { effect: 'allow', tools: ['echo', 'slow'], roles: ['reader'] },
    { effect: 'allow', tools: ['*'], roles: ['admin'] },
    { effect: 'deny', tools: ['fail'] },
    { effect: 'allow', resources: ['file:///public/**'] },
    { effect: 'allow', resources: ['file:///secret/*', 'users://{id}/profile'], scopes: ['secrets:read'] },
    { effect: 'allow', prompts: ['summarize'], roles: ['reader', 'admin'] },
  ],
};

function setup(server: McpServer, calls: string[]): void {
  server.registerTool('delete_user', { inputSchema: { id: z.string() } }, async ({ id }) => {
    calls.push(`delete_user:${id}`);
    return { content: [{ type: 'text', text: 'deleted' }] };
  });
  const read = (text: string) => async (uri: URL) => {
    calls.push(`read:${uri.href}`);
    return { contents: [{ uri: uri.href, text }] };
  };
  server.registerResource('readme', 'file:///public/docs/readme.md', {}, read('hello'));
  server.registerResource('keys', 'file:///secret/keys', {}, read('k3y'));
  server.registerResource('profile', new ResourceTemplate('users://{id}/profile', { list: undefined }), {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'p' }] }));
  server.registerResource('audit', new ResourceTemplate('audit://{day}', { list: undefined }), {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'a' }] }));
  server.registerPrompt('summarize', { argsSchema: { text: z.string() } }, ({ text }) => {
    calls.push('prompt:summarize');
    return { messages: [{ role: 'user', content: { type: 'text', text } }] };
  });
  server.registerPrompt('admin_prompt', {}, () => {
    calls.push('prompt:admin_prompt');
    return { messages: [{ role: 'user', content: { type: 'text', text: 'x' } }] };
  });
}

async function policyPair(options: AccessPolicyOptions = POLICY): Promise<{ pair: Pair; as: (who: AuthInfo | undefined) => void }> {
  let who: AuthInfo | undefined;
  const calls: string[] = [];
  const pair = await connectPair({ serverChain: [accessPolicy(options)], setup: (server) => setup(server, calls) });
  // Tools registered in setup record into the pair's own list, so `handlerCalls` covers every handler.
  calls.push = (...items: string[]) => pair.handlerCalls.push(...items);
  sendAs(pair, () => who);
  return { pair, as: (next) => void (who = next) };
}

const lastError = (pair: Pair): unknown => [...pair.wire.clientReceived].reverse().find((frame) => 'error' in frame);

describe('accessPolicy through a real client and server', () => {
  it('denies a tool with ACCESS_DENIED before the handler runs, and filters tools/list per role', async () => {
    const { pair, as } = await policyPair();
    as(auth(['reader']));
    expect((await pair.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'slow']);
    await expect(pair.client.callTool({ name: 'delete_user', arguments: { id: 'u1' } })).rejects.toMatchObject({ code: ErrorCode.AccessDenied });
    expect(lastError(pair)).toEqual({
      jsonrpc: '2.0',
      id: expect.any(Number),
      error: {
        code: -31005,
        message: 'Access denied to tool "delete_user"',
        data: { reason: 'ACCESS_DENIED', kind: 'tool', name: 'delete_user', interceptor: 'access-policy' },
      },
    });
    expect(pair.handlerCalls).toEqual([]);
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(pair.handlerCalls).toEqual(['echo:hi']);

    as(auth(['admin']));
    expect((await pair.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['delete_user', 'echo', 'progress', 'slow']);
    await pair.client.callTool({ name: 'delete_user', arguments: { id: 'u1' } });
    // An explicit deny wins over the admin's allow-all.
    await expect(pair.client.callTool({ name: 'fail', arguments: {} })).rejects.toMatchObject({ code: -31005, data: { name: 'fail' } });
    expect(pair.handlerCalls).toEqual(['echo:hi', 'delete_user:u1']);

    as(undefined);
    expect((await pair.client.listTools()).tools).toEqual([]);
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code: -31005 });
    await pair.close();
  });

  it('applies URI globs and scopes to resources, templates and reads', async () => {
    const { pair, as } = await policyPair();
    as(auth([]));
    expect((await pair.client.listResources()).resources.map((r) => r.uri)).toEqual(['file:///public/docs/readme.md']);
    expect((await pair.client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await pair.client.readResource({ uri: 'file:///public/docs/readme.md' })).contents).toEqual([{ uri: 'file:///public/docs/readme.md', text: 'hello' }]);
    await expect(pair.client.readResource({ uri: 'file:///secret/keys' })).rejects.toMatchObject({ code: -31005 });
    expect(lastError(pair)).toMatchObject({ error: { data: { reason: 'ACCESS_DENIED', kind: 'resource', name: 'file:///secret/keys' } } });
    expect(pair.handlerCalls).toEqual(['read:file:///public/docs/readme.md']);

    as(auth([], ['secrets:read']));
    expect((await pair.client.listResources()).resources.map((r) => r.uri).sort()).toEqual(['file:///public/docs/readme.md', 'file:///secret/keys']);
    expect((await pair.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['users://{id}/profile']);
    await pair.client.readResource({ uri: 'file:///secret/keys' });
    expect(pair.handlerCalls).toContain('read:file:///secret/keys');
    await pair.close();
  });

  it('filters prompts/list and denies prompts/get', async () => {
    const { pair, as } = await policyPair();
    as(auth(['reader']));
    expect((await pair.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['summarize']);
    await pair.client.getPrompt({ name: 'summarize', arguments: { text: 'x' } });
    await expect(pair.client.getPrompt({ name: 'admin_prompt' })).rejects.toMatchObject({ code: -31005, data: { kind: 'prompt', name: 'admin_prompt' } });
    expect(pair.handlerCalls).toEqual(['prompt:summarize']);
    await pair.close();
  });
});

describe('accessPolicy rules', () => {
  const run = (options: AccessPolicyOptions, method: string, params: JsonObject, who?: AuthInfo) =>
    runAs(createChain([accessPolicy(options)]), method, params, who, { tools: [{ name: 'a_1' }, { name: 'b' }, { nameless: true }] });

  it('denies everything no rule allows by default, and a per-kind default can open a kind', async () => {
    const rules: AccessPolicyOptions['rules'] = [{ effect: 'allow', tools: ['a_*'] }];
    expect((await run({ rules }, 'prompts/get', { name: 'p' })).response).toMatchObject({ error: { code: -31005, data: { kind: 'prompt' } } });
    expect((await run({ rules, defaultEffect: { prompt: 'allow' } }, 'prompts/get', { name: 'p' })).handled).toHaveLength(1);
    expect((await run({ rules, defaultEffect: { prompt: 'allow' } }, 'resources/read', { uri: 'x://y' })).handled).toHaveLength(0);
    expect((await run({ rules: [], defaultEffect: 'allow' }, 'tools/call', { name: 'anything' })).handled).toHaveLength(1);
  });

  it('filters list items with no name out (fails closed)', async () => {
    const { response } = await run({ rules: [{ effect: 'allow', tools: ['**'] }] }, 'tools/list', {});
    expect(response).toMatchObject({ result: { tools: [{ name: 'a_1' }, { name: 'b' }] } });
  });

  it('checks resources/subscribe and completions of prompts and resource templates', async () => {
    const rules: AccessPolicyOptions['rules'] = [{ effect: 'allow', prompts: ['open'] }, { effect: 'allow', resources: ['docs://*'] }];
    expect((await run({ rules }, 'resources/subscribe', { uri: 'secret://x' })).response).toMatchObject({ error: { code: -31005, data: { kind: 'resource', name: 'secret://x' } } });
    expect((await run({ rules }, 'resources/subscribe', { uri: 'docs://a' })).handled).toHaveLength(1);
    const complete = (ref: object) => run({ rules }, 'completion/complete', { ref, argument: { name: 'a', value: '' } });
    expect((await complete({ type: 'ref/prompt', name: 'closed' })).response).toMatchObject({ error: { data: { kind: 'prompt', name: 'closed' } } });
    expect((await complete({ type: 'ref/prompt', name: 'open' })).handled).toHaveLength(1);
    expect((await complete({ type: 'ref/resource', uri: 'docs://{id}' })).handled).toHaveLength(1);
  });

  it('matches * within a URI segment and ** across segments; * in tool names matches anything', async () => {
    const rules: AccessPolicyOptions['rules'] = [{ effect: 'allow', resources: ['file:///a/*'] }, { effect: 'allow', tools: ['gh/*'] }];
    expect((await run({ rules }, 'resources/read', { uri: 'file:///a/b' })).handled).toHaveLength(1);
    expect((await run({ rules }, 'resources/read', { uri: 'file:///a/b/c' })).handled).toHaveLength(0);
    expect((await run({ rules }, 'tools/call', { name: 'gh/issues/create' })).handled).toHaveLength(1);
    expect((await run({ rules }, 'tools/call', { name: 'gh.issues' })).handled).toHaveLength(0);
  });

  it('takes roles from auth.extra.roles or a roles(ctx) function, and requires every listed scope', async () => {
    const rules: AccessPolicyOptions['rules'] = [{ effect: 'allow', tools: ['t'], roles: ['ops'], scopes: ['a', 'b'] }];
    expect((await run({ rules }, 'tools/call', { name: 't' }, auth(['ops'], ['a', 'b']))).handled).toHaveLength(1);
    expect((await run({ rules }, 'tools/call', { name: 't' }, auth(['ops'], ['a']))).handled).toHaveLength(0);
    expect((await run({ rules }, 'tools/call', { name: 't' }, { ...auth([], ['a', 'b']), extra: { roles: 'ops' } })).handled).toHaveLength(1);
    expect((await run({ rules }, 'tools/call', { name: 't' }, auth(['dev'], ['a', 'b']))).handled).toHaveLength(0);
    const viaFunction = { rules, roles: async (ctx: InterceptorContext) => (ctx.auth?.clientId === 'ops-bot' ? ['ops'] : []) };
    expect((await run(viaFunction, 'tools/call', { name: 't' }, { ...auth(['dev'], ['a', 'b']), clientId: 'ops-bot' })).handled).toHaveLength(1);
    expect((await run(viaFunction, 'tools/call', { name: 't' }, auth(['ops'], ['a', 'b']))).handled).toHaveLength(0);
  });

  it('fails closed when the roles function throws', async () => {
    const { response, handled } = await run({ rules: [], defaultEffect: 'allow', roles: () => { throw new Error('directory down'); } }, 'tools/call', { name: 't' });
    expect(response).toMatchObject({ error: { code: -32603, data: { reason: 'INTERNAL', interceptor: 'access-policy' } } });
    expect(handled).toHaveLength(0);
  });

  it('answers a call that names nothing with INVALID_PARAMS, and leaves outbound requests alone', async () => {
    expect((await run({ rules: [] }, 'tools/call', {})).response).toMatchObject({ error: { code: -32602, data: { reason: 'INVALID_PARAMS', interceptor: 'access-policy' } } });
    const chain = createChain([accessPolicy({ rules: [] })]);
    expect((await runRequest(chain, 'tools/call', { name: 'x' }, { direction: 'outbound', side: 'client' })).handled).toHaveLength(1);
  });

  it('counts denials and filtered items in metrics', async () => {
    const chain = createChain([accessPolicy({ rules: [{ effect: 'allow', tools: ['b'] }] })]);
    await runRequest(chain, 'tools/call', { name: 'a_1' });
    await runRequest(chain, 'tools/list', {}, { handler: () => ({ tools: [{ name: 'a_1' }, { name: 'b' }] }) });
    expect(chain.metrics.snapshot().counters).toEqual([
      { name: 'access_policy.denied', labels: { method: 'tools/call', kind: 'tool' }, value: 1 },
      { name: 'access_policy.filtered', labels: { method: 'tools/list', kind: 'tool' }, value: 1 },
    ]);
  });

  it('rejects bad options naming the option', () => {
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /accessPolicy\.rules must be an array/],
      [{ rules: 'allow' }, /accessPolicy\.rules must be an array/],
      [{ rules: [null] }, /accessPolicy\.rules\[0\] must be an object/],
      [{ rules: [{ effect: 'permit', tools: ['a'] }] }, /accessPolicy\.rules\[0\]\.effect must be "allow" or "deny"/],
      [{ rules: [{ effect: 'allow' }] }, /accessPolicy\.rules\[0\] must name tools, resources or prompts/],
      [{ rules: [{ effect: 'allow', tools: [] }] }, /accessPolicy\.rules\[0\]\.tools must be a non-empty array/],
      [{ rules: [{ effect: 'allow', tools: ['a'], roles: 'admin' }] }, /accessPolicy\.rules\[0\]\.roles must be an array of strings/],
      [{ rules: [{ effect: 'allow', prompts: ['a'], scopes: [''] }] }, /accessPolicy\.rules\[0\]\.scopes must be a non-empty array/],
      [{ rules: [], defaultEffect: 'open' }, /accessPolicy\.defaultEffect must be one of/],
      [{ rules: [], defaultEffect: { tools: 'allow' } }, /accessPolicy\.defaultEffect has an unknown kind "tools"/],
      [{ rules: [], defaultEffect: { tool: 'yes' } }, /accessPolicy\.defaultEffect\.tool must be one of/],
      [{ rules: [], roles: ['admin'] }, /accessPolicy\.roles must be a function/],
      [{ rules: [], directions: ['both'] }, /accessPolicy\.directions must be a non-empty array/],
      [{ rules: [], priority: -1 }, /accessPolicy\.priority must be a Priority/],
    ];
    for (const [options, message] of bad) expect(() => accessPolicy(options as AccessPolicyOptions), JSON.stringify(options)).toThrow(message);
  });
});
