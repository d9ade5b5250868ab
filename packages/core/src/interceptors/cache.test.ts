import type { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { ErrorCode } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject } from '../jsonrpc.js';
import { connectPair, type Pair } from '../test-support/pair.js';
import { createManualClock, runNotification, runRequest } from '../testing.js';
import { cache, CacheStatusKey } from './cache.js';
import { cacheKey } from './cache-key.js';

/** Counts the requests of each method that reach the server past every interceptor above it (placed last). */
function arrivals(): Interceptor & { count(method: string): number } {
  const seen: string[] = [];
  return {
    name: 'arrivals',
    priority: Priority.Lowest,
    onRequest: (req) => void seen.push(req.method),
    count: (method) => seen.filter((m) => m === method).length,
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const responsesTo = (frames: JSONRPCMessage[]) => frames.filter((m): m is JSONRPCMessage & { id: number } => 'id' in m && !('method' in m));

/** Sends every frame of this client with `authInfo`, as an HTTP server would after bearer auth. */
function authenticateAs(pair: Pair, auth: AuthInfo): void {
  const inner = pair.clientTransport.inner as InMemoryTransport;
  const send = inner.send.bind(inner);
  inner.send = (message, options) => send(message, { ...options, authInfo: auth });
}

function resources(reads: string[], failFirst = new Set<string>()) {
  return (server: McpServer): void => {
    for (const name of ['a', 'b']) {
      server.registerResource(name, `mem://${name}`, {}, async (uri) => {
        reads.push(uri.href);
        if (failFirst.delete(uri.href)) throw new Error('disk busy');
        return { contents: [{ uri: uri.href, text: `${name} v${reads.length}` }] };
      });
    }
  };
}

describe('cache', () => {
  it('answers a second tools/list from memory with the new request id (the server sees one)', async () => {
    const results = cache();
    const seen = arrivals();
    const pair = await connectPair({ clientChain: [results], serverChain: [seen] });
    const first = await pair.client.listTools();
    const second = await pair.client.listTools();

    expect(second).toEqual(first);
    expect(seen.count('tools/list')).toBe(1);
    const [, firstAnswer, secondAnswer] = responsesTo(pair.wire.clientReceived);
    expect(secondAnswer!.id).not.toBe(firstAnswer!.id);
    expect(secondAnswer).toEqual({ ...firstAnswer, id: secondAnswer!.id });
    expect(results.stats()).toEqual({ hits: 1, misses: 1, coalesced: 0, evictions: 0, invalidations: 0, size: 1 });
    await pair.close();
  });

  it('expires entries after their TTL (manual clock)', async () => {
    const clock = createManualClock();
    const seen = arrivals();
    const pair = await connectPair({ clientChain: createChain([cache({ methods: { 'tools/list': 1_000 } })], { clock }), serverChain: [seen] });
    await pair.client.listTools();
    await clock.advance(999);
    await pair.client.listTools();
    expect(seen.count('tools/list')).toBe(1);
    await clock.advance(1);
    await pair.client.listTools();
    expect(seen.count('tools/list')).toBe(2);
    await pair.close();
  });

  it('drops tools/list when notifications/tools/list_changed reaches the client', async () => {
    const results = cache();
    const seen = arrivals();
    const pair = await connectPair({ clientChain: [results], serverChain: [seen] });
    await pair.client.listTools();
    pair.server.registerTool('added-later', {}, async () => ({ content: [] })); // McpServer sends list_changed
    await settle();
    const names = (await pair.client.listTools()).tools.map((t) => t.name);

    expect(names).toContain('added-later');
    expect(seen.count('tools/list')).toBe(2);
    expect(results.stats()).toMatchObject({ invalidations: 1, size: 1 });
    await pair.close();
  });

  it('on the server chain: caches for the handler and drops entries when the server sends list_changed', async () => {
    const results = cache();
    const handler = arrivals(); // below the cache: counts what reaches the server's own handler
    const pair = await connectPair({ serverChain: [results, handler] });
    await pair.client.listTools();
    await pair.client.listTools();
    expect(handler.count('tools/list')).toBe(1);
    pair.server.sendToolListChanged();
    await settle();
    await pair.client.listTools();
    expect(handler.count('tools/list')).toBe(2);
    await pair.close();
  });

  it('drops only the resources/read entry named by notifications/resources/updated', async () => {
    const reads: string[] = [];
    const results = cache();
    const pair = await connectPair({ clientChain: [results], setup: resources(reads) });
    await pair.client.readResource({ uri: 'mem://a' });
    await pair.client.readResource({ uri: 'mem://b' });
    await pair.server.server.sendResourceUpdated({ uri: 'mem://a' });
    await settle();
    const a = await pair.client.readResource({ uri: 'mem://a' });
    await pair.client.readResource({ uri: 'mem://b' });

    expect(reads).toEqual(['mem://a', 'mem://b', 'mem://a']);
    expect(a.contents).toEqual([{ uri: 'mem://a', text: 'a v3' }]);
    expect(results.stats()).toMatchObject({ hits: 1, misses: 3, invalidations: 1 });
    await pair.close();
  });

  it('never shares entries between connections that have no other identity', async () => {
    const shared = cache();
    const pairA = await connectPair({ clientChain: [shared], setup: (s) => void s.registerTool('only-a', {}, async () => ({ content: [] })) });
    const pairB = await connectPair({ clientChain: [shared], setup: (s) => void s.registerTool('only-b', {}, async () => ({ content: [] })) });
    const a = (await pairA.client.listTools()).tools.map((t) => t.name);
    const b = (await pairB.client.listTools()).tools.map((t) => t.name);

    expect(a).toContain('only-a');
    expect(b).toContain('only-b');
    expect(b).not.toContain('only-a');
    expect(shared.stats()).toMatchObject({ hits: 0, misses: 2, size: 2 });
    await pairA.close();
    await pairB.close();
  });

  it('keys server-side entries by auth.clientId and scopes: one client shares across connections, others never see them', async () => {
    const shared = cache();
    const handler = arrivals();
    const connect = async (auth: AuthInfo) => {
      const pair = await connectPair({ serverChain: [shared, handler] });
      authenticateAs(pair, auth);
      return pair;
    };
    const alice1 = await connect({ token: 't1', clientId: 'alice', scopes: ['read', 'admin'] });
    const alice2 = await connect({ token: 't2', clientId: 'alice', scopes: ['admin', 'read'] });
    const aliceReadOnly = await connect({ token: 't3', clientId: 'alice', scopes: ['read'] });
    const bob = await connect({ token: 't4', clientId: 'bob', scopes: ['read', 'admin'] });
    for (const pair of [alice1, alice2, aliceReadOnly, bob]) await pair.client.listTools();

    expect(handler.count('tools/list')).toBe(3); // alice2 was answered from alice1's entry
    expect(shared.stats()).toMatchObject({ hits: 1, misses: 3 });
    for (const pair of [alice1, alice2, aliceReadOnly, bob]) await pair.close();
  });

  it('uses a custom identity: different identities never share, the same one does', async () => {
    const chain = createChain([cache({ identity: (ctx) => ctx.side })]);
    let calls = 0;
    const handler = () => ({ n: ++calls });
    await runRequest(chain, 'tools/list', {}, { side: 'server', handler });
    await runRequest(chain, 'tools/list', {}, { side: 'client', direction: 'outbound', handler });
    const again = await runRequest(chain, 'tools/list', {}, { side: 'server', handler });
    expect(calls).toBe(2);
    expect(again.response).toMatchObject({ result: { n: 1 } });
  });

  it('never caches errors', async () => {
    const reads: string[] = [];
    const results = cache();
    const pair = await connectPair({ clientChain: [results], setup: resources(reads, new Set(['mem://a'])) });
    await expect(pair.client.readResource({ uri: 'mem://a' })).rejects.toMatchObject({ code: ErrorCode.InternalError });
    await pair.client.readResource({ uri: 'mem://a' });
    await pair.client.readResource({ uri: 'mem://a' });
    expect(reads).toEqual(['mem://a', 'mem://a']);
    expect(results.stats()).toMatchObject({ hits: 1, misses: 2, size: 1 });
    await pair.close();
  });

  it('caches chosen tools by name and arguments, but never an isError result', async () => {
    const pair = await connectPair({ clientChain: [cache({ tools: { echo: 60_000, fail: 60_000 } })] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    const again = await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'other' } });
    await pair.client.callTool({ name: 'fail', arguments: {} });
    const failedAgain = await pair.client.callTool({ name: 'fail', arguments: {} });

    expect(again.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(failedAgain.isError).toBe(true);
    expect(pair.handlerCalls).toEqual(['echo:hi', 'echo:other', 'fail', 'fail']);
    await pair.close();
  });

  it('coalesces identical misses in flight into one call (single-flight)', async () => {
    const results = cache();
    const seen = arrivals();
    const pair = await connectPair({ clientChain: [results], serverChain: [seen] });
    const [one, two, other] = await Promise.all([pair.client.listTools(), pair.client.listTools(), pair.client.listTools({ cursor: 'page-2' })]);
    expect(two).toEqual(one);
    expect(other).toEqual(one); // this server ignores cursors; the request still was not joined to the others
    expect(seen.count('tools/list')).toBe(2);
    const ids = responsesTo(pair.wire.clientReceived).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(results.stats()).toMatchObject({ misses: 2, coalesced: 1 });
    await pair.close();
  });

  it('returns a fresh copy with the current id, never the stored object', async () => {
    const chain = createChain([cache({ identity: () => 'u' })]);
    const first = await runRequest(chain, 'resources/read', { uri: 'mem://a' }, { id: 7, handler: () => ({ contents: [{ uri: 'mem://a', text: 'v1' }] }) });
    ((first.response as { result: JsonObject }).result['contents'] as JsonObject[]).push({ uri: 'mem://evil', text: 'x' });
    const hit = await runRequest(chain, 'resources/read', { uri: 'mem://a' }, { id: 'eight' });
    ((hit.response as { result: JsonObject }).result['contents'] as JsonObject[])[0]!['text'] = 'changed';
    const again = await runRequest(chain, 'resources/read', { uri: 'mem://a' }, { id: 9 });

    expect(hit.response).toEqual({ jsonrpc: '2.0', id: 'eight', result: { contents: [{ uri: 'mem://a', text: 'changed' }] } });
    expect(again.response).toEqual({ jsonrpc: '2.0', id: 9, result: { contents: [{ uri: 'mem://a', text: 'v1' }] } });
    expect(hit.handled).toEqual([]);
    expect(hit.ctx.metadata.get(CacheStatusKey)).toBe('hit');
    expect(first.ctx.metadata.get(CacheStatusKey)).toBe('miss');
  });

  it('ignores key order and _meta in params', () => {
    const a = cacheKey('tools/call', 'u', { name: 't', arguments: { x: 1, y: { b: [1, { d: 2, c: 3 }], a: null } }, _meta: { progressToken: 1 } });
    const b = cacheKey('tools/call', 'u', { arguments: { y: { a: null, b: [1, { c: 3, d: 2 }] }, x: 1 }, name: 't' });
    expect(a).toBe(b);
    expect(cacheKey('tools/call', 'v', { name: 't' })).not.toBe(cacheKey('tools/call', 'u', { name: 't' }));
    expect(cacheKey('tools/call', 'u', { name: 't', arguments: { x: '1' } })).not.toBe(cacheKey('tools/call', 'u', { name: 't', arguments: { x: 1 } }));
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const results = cache({ maxEntries: 2, identity: () => 'u' });
    const chain = createChain([results]);
    const reads: string[] = [];
    const read = (uri: string) => runRequest(chain, 'resources/read', { uri }, { handler: () => (reads.push(uri), { contents: [] }) });
    await read('mem://a');
    await read('mem://b');
    await read('mem://a'); // hit: a is now the most recent
    await read('mem://c'); // evicts b
    await read('mem://a');
    await read('mem://b');
    expect(reads).toEqual(['mem://a', 'mem://b', 'mem://c', 'mem://b']);
    expect(results.stats()).toMatchObject({ hits: 2, misses: 4, evictions: 2, size: 2 });
  });

  it('does not store an answer that an invalidation overtook while it was in flight', async () => {
    const results = cache({ identity: () => 'u' });
    const chain = createChain([results]);
    let release!: () => void;
    const pending = runRequest(chain, 'prompts/list', {}, { handler: () => new Promise((resolve) => (release = () => resolve({ prompts: [] }))) });
    await settle();
    await runNotification(chain, 'notifications/prompts/list_changed', {}, { direction: 'outbound' });
    release();
    await pending;
    expect(results.stats()).toMatchObject({ misses: 1, size: 0 });
  });

  it('does not cache when the identity function throws, and still answers', async () => {
    const results = cache({
      identity: () => {
        throw new Error('no user');
      },
    });
    const chain = createChain([results]);
    const { response } = await runRequest(chain, 'tools/list', {}, { handler: () => ({ tools: [] }) });
    expect(response).toMatchObject({ result: { tools: [] } });
    expect(results.stats()).toMatchObject({ misses: 0, size: 0 });
    expect(chain.metrics.snapshot().counters).toContainEqual({ name: 'cache.identity_failures', labels: { method: 'tools/list' }, value: 1 });
  });

  it('leaves methods alone that are turned off or not cacheable', async () => {
    const chain = createChain([cache({ methods: { 'tools/list': 0 }, identity: () => 'u' })]);
    let calls = 0;
    for (const method of ['tools/list', 'tools/list', 'tools/call', 'tools/call', 'prompts/get', 'prompts/get']) {
      await runRequest(chain, method, { name: 'x' }, { handler: () => ({ n: ++calls }) });
    }
    expect(calls).toBe(6);
  });

  it('clear() drops every entry', async () => {
    const results = cache({ identity: () => 'u' });
    const chain = createChain([results]);
    await runRequest(chain, 'tools/list', {});
    await runRequest(chain, 'prompts/list', {});
    results.clear();
    expect(results.stats()).toMatchObject({ invalidations: 2, size: 0 });
  });

  it.each([
    [{ ttlMs: -1 }, RangeError, 'cache.ttlMs'],
    [{ methods: 'tools/list' }, TypeError, 'cache.methods'],
    [{ methods: { 'tools/call': 1_000 } }, TypeError, 'cache.tools'],
    [{ methods: { 'sampling/createMessage': 1_000 } }, TypeError, 'sampling/createMessage'],
    [{ methods: { 'resources/read': Number.POSITIVE_INFINITY } }, RangeError, 'cache.methods.resources/read'],
    [{ tools: ['echo'] }, TypeError, 'cache.tools'],
    [{ tools: { echo: -5 } }, RangeError, 'cache.tools.echo'],
    [{ maxEntries: 0 }, RangeError, 'cache.maxEntries'],
    [{ identity: 'user' }, TypeError, 'cache.identity'],
    [{ clock: {} }, TypeError, 'cache.clock'],
    [{ priority: 2.5 }, RangeError, 'cache.priority'],
  ])('rejects bad options: %j', (options, type, name) => {
    expect(() => cache(options as never)).toThrow(type);
    expect(() => cache(options as never)).toThrow(name);
  });

  it('rejects options that are not an object', () => {
    expect(() => cache(null as never)).toThrow(TypeError);
  });
});
