// createMcpHttpHandler: the MCP endpoint behind an HTTP chain: sessions (or none) over the SDK's Streamable HTTP
// transport, each session's transport wrapped with the JSON-RPC chain. Adapters (node:http, Express, Hono) call it.
import type { WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { intercept, type Chain, type InterceptOptions } from '@mcp-interceptors/core';
import { createHttpChain, type HttpChain } from './http-chain.js';
import type { HttpExchange } from './http-context.js';
import type { HttpInterceptor } from './http-interceptor.js';
import type { EndpointConfig } from './internal/endpoint-config.js';
import { methodNotAllowed, notFound } from './internal/mcp-errors.js';
import { fn, optionsObject, path as pathOption, positiveInt, timerMs } from './internal/options.js';
import { SessionRegistry } from './internal/sessions.js';
import { handleStateless } from './internal/stateless.js';

/** What the handler needs of an MCP server: the SDK's `McpServer` and `Server` both fit. */
export interface McpServerLike {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export type StreamableTransportOptions = Omit<WebStandardStreamableHTTPServerTransportOptions, 'sessionIdGenerator' | 'onsessioninitialized' | 'onsessionclosed'>;

export interface McpHttpHandlerOptions {
  /** Makes the MCP server for a new session (stateful) or for one request (stateless). */
  readonly server: () => McpServerLike | Promise<McpServerLike>;
  /** The HTTP chain, or the interceptors to build one from. @defaultValue no HTTP interceptors */
  readonly http?: HttpChain | readonly HttpInterceptor[];
  /** The JSON-RPC chain: every transport is wrapped with `intercept(transport, chain, { side: 'server' })`. @defaultValue none */
  readonly chain?: Chain;
  /** More options for `intercept()` when there is a `chain` (e.g. `{ stacklessDispatch: false }`). @defaultValue `{}` */
  readonly intercept?: Omit<InterceptOptions, 'side' | 'transportKind'>;
  /** Where the MCP endpoint is. Other paths get 404 (node adapter) or are passed on (Express, Hono). @defaultValue `'/mcp'` */
  readonly path?: string;
  /** `stateful`: sessions with `Mcp-Session-Id`, SSE `GET` streams, `DELETE`. `stateless`: a fresh server per POST. @defaultValue 'stateful' */
  readonly mode?: 'stateful' | 'stateless';
  /**
   * Most sessions open at once (stateful mode). Each holds an MCP server and its transport. At the cap a new
   * `initialize` closes the least recently used session not in use (no HTTP request being handled, no JSON-RPC request
   * of its client unanswered; an open GET stream alone is not use); when every session is in use, it gets 503
   * `data.reason: 'SESSION_LIMIT'`.
   * @defaultValue 1000
   */
  readonly maxSessions?: number;
  /**
   * A session not in use (see `maxSessions`) for this long is closed (stateful mode). Checked every
   * `min(sessionIdleMs, 60 s)` on the HTTP chain's clock, so a session goes within that much after its time. `0`: never.
   * @defaultValue 1_800_000 (30 minutes)
   */
  readonly sessionIdleMs?: number;
  /** Session ids (stateful mode); they must be unguessable. @defaultValue crypto.randomUUID */
  readonly sessionIdGenerator?: () => string;
  /** Passed to each SDK transport: `enableJsonResponse`, `eventStore`, `retryInterval`, `keepAliveMs`, … @defaultValue `{}` */
  readonly transport?: StreamableTransportOptions;
  readonly onSessionInitialized?: (sessionId: string) => void;
  readonly onSessionClosed?: (sessionId: string) => void;
}

export interface McpHttpHandler {
  readonly chain: HttpChain;
  readonly path: string;
  readonly mode: 'stateful' | 'stateless';
  /** Ids of the live sessions (stateful mode). */
  readonly sessions: ReadonlySet<string>;
  /** How many of them are in use: an HTTP request being handled, or a JSON-RPC request unanswered (stateful mode). */
  readonly sessionsInUse: number;
  /** True for the paths this handler answers: the MCP path and the interceptors' routes (e.g. `/healthz`). */
  handles(path: string): boolean;
  /** Runs one request (a context from `chain.createContext`) through the chain and the endpoint. Never rejects. */
  handle(ctx: HttpExchange): Promise<void>;
  /** Closes every session's transport. */
  close(): Promise<void>;
}

/**
 * Creates the MCP endpoint: the HTTP chain first, then the SDK's Streamable HTTP transport (a new one per session,
 * or per request when stateless) connected to a server from your factory. The body the chain read is handed to the
 * transport as `parsedBody`, and `ctx.auth` as `authInfo`, which the JSON-RPC chain sees as `ctx.auth`. Serve it
 * with `nodeHandler`, `expressMiddleware` or `honoMiddleware`.
 *
 * @example
 * const handler = createMcpHttpHandler({
 *   server: () => buildServer(),
 *   http: defaultServerInterceptors({ auth: { tokens: [process.env.MCP_TOKEN!] } }),
 *   chain: createChain([myInterceptor]),
 * });
 * http.createServer(nodeHandler(handler)).listen(3000, '127.0.0.1');
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  optionsObject('createMcpHttpHandler', options);
  if (options === undefined) throw new TypeError('createMcpHttpHandler: options with a server factory are required');
  const makeServer = fn<() => McpServerLike | Promise<McpServerLike>>('createMcpHttpHandler.server', options.server);
  if (makeServer === undefined) throw new TypeError('createMcpHttpHandler.server must be a function returning an MCP server');
  const mode = options.mode ?? 'stateful';
  if (mode !== 'stateful' && mode !== 'stateless') throw new TypeError(`createMcpHttpHandler.mode must be "stateful" or "stateless", got ${JSON.stringify(mode)}`);
  const endpointPath = pathOption('createMcpHttpHandler.path', options.path, '/mcp');
  const chain = options.http === undefined || Array.isArray(options.http) ? createHttpChain((options.http as readonly HttpInterceptor[] | undefined) ?? []) : (options.http as HttpChain);
  if (typeof chain.run !== 'function') throw new TypeError('createMcpHttpHandler.http must be an HttpChain or an array of HTTP interceptors');
  const jsonRpcChain = options.chain;
  const interceptOptions = checkInterceptOptions(options.intercept);
  if (jsonRpcChain !== undefined && typeof jsonRpcChain.handleRequest !== 'function') throw new TypeError('createMcpHttpHandler.chain must be a chain from createChain()');

  const config: EndpointConfig = {
    options,
    sessionIdGenerator: fn<() => string>('createMcpHttpHandler.sessionIdGenerator', options.sessionIdGenerator) ?? (() => crypto.randomUUID()),
    maxSessions: positiveInt('createMcpHttpHandler.maxSessions', options.maxSessions, 1000),
    sessionIdleMs: timerMs('createMcpHttpHandler.sessionIdleMs', options.sessionIdleMs, 30 * 60_000),
    clock: chain.clock,
    async connect(transport) {
      const server = await makeServer();
      await server.connect(jsonRpcChain === undefined ? transport : intercept(transport, jsonRpcChain, { ...interceptOptions, side: 'server', transportKind: 'http' }));
      return () => server.close();
    },
  };
  const sessions = new SessionRegistry(config);

  async function endpoint(ctx: HttpExchange): Promise<void> {
    if (ctx.path !== endpointPath) return notFound(ctx);
    const method = ctx.method;
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return methodNotAllowed(ctx, mode === 'stateful' ? 'GET, POST, DELETE' : 'POST');
    const parsedBody = method === 'POST' ? await ctx.json() : undefined;
    const request = ctx.source.toRequest();
    if (mode === 'stateful') await sessions.handle(ctx, request, parsedBody);
    else await handleStateless(config, ctx, request, parsedBody);
  }

  return {
    chain,
    path: endpointPath,
    mode,
    get sessions() {
      return sessions.ids;
    },
    get sessionsInUse() {
      return sessions.inUse;
    },
    handles: (path) => path === endpointPath || chain.routes.has(path),
    handle: (ctx) => chain.run(ctx, () => endpoint(ctx)),
    close: () => sessions.closeAll(),
  };
}

/** Checked here, not when the first session connects. */
function checkInterceptOptions(value: unknown): Omit<InterceptOptions, 'side' | 'transportKind'> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`createMcpHttpHandler.intercept must be an object, got ${JSON.stringify(value)}`);
  const { stacklessDispatch, lateResponseMemory } = value as Record<string, unknown>;
  if (stacklessDispatch !== undefined && typeof stacklessDispatch !== 'boolean') throw new TypeError(`createMcpHttpHandler.intercept.stacklessDispatch must be a boolean, got ${JSON.stringify(stacklessDispatch)}`);
  if (lateResponseMemory !== undefined && (!Number.isSafeInteger(lateResponseMemory) || (lateResponseMemory as number) < 0)) {
    throw new RangeError(`createMcpHttpHandler.intercept.lateResponseMemory must be a non-negative integer, got ${JSON.stringify(lateResponseMemory)}`);
  }
  return value as Omit<InterceptOptions, 'side' | 'transportKind'>;
}
