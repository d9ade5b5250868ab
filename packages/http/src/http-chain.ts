// createHttpChain: sorts HTTP interceptors by priority (lower first), runs requests in that order and responses in
// reverse (onion), and turns every failure into an HTTP status with a JSON-RPC error body, so no request goes unanswered.
import { systemClock, type Clock } from '@mcp-interceptors/core';
import type { HttpContext } from './http-context.js';
import { HttpExchange } from './http-context.js';
import { internalError, isHttpError, type HttpError } from './http-error.js';
import { HttpPriority, type HttpInterceptor } from './http-interceptor.js';
import type { RequestSource } from './internal/request-source.js';
import { optionsObject, positiveInt } from './internal/options.js';
import { jsonLinesSink } from './log-sink.js';
import { createRedactor, type RedactionOptions, type Redactor } from './redact.js';

/** Produces the response when no interceptor answered (the MCP endpoint, or a test handler). */
export type HttpTerminal = (ctx: HttpContext) => Promise<void>;

/** Receives unexpected failures (the cause of a 500), with the interceptor that failed in `error.data.interceptor`. */
export type HttpErrorReporter = (error: HttpError, ctx: HttpContext) => void;

export interface HttpChainOptions {
  /** The clock of every context (`ctx.startTime`, `ctx.elapsed()`). @defaultValue systemClock */
  readonly clock?: Clock;
  /** Redaction of `ctx.log` and of error reports. @defaultValue core's sensitive headers and the built-in sensitive keys */
  readonly redaction?: RedactionOptions;
  /** Where unexpected failures are reported. @defaultValue a JSON line on stderr (`event: 'http.server.error'`) */
  readonly onError?: HttpErrorReporter;
  /** The cap on bodies read through the context when no `bodyLimit` sets one (the SDK's own default). @defaultValue 4 MiB */
  readonly maxBodyBytes?: number;
}

export interface HttpChainEntry {
  readonly position: number;
  readonly name: string;
  readonly priority: number;
  readonly hooks: readonly string[];
}

export interface HttpChain {
  /** In the order requests pass them. */
  readonly interceptors: readonly HttpInterceptor[];
  readonly clock: Clock;
  readonly redactor: Redactor;
  /** Paths interceptors answer themselves (`routes`); framework adapters send these to the chain too. */
  readonly routes: ReadonlySet<string>;
  /** The resolved order, for a startup log line. */
  describe(): HttpChainEntry[];
  /** A context for one request (used by the adapters). */
  createContext(source: RequestSource): HttpExchange;
  /** Runs the request through the interceptors and `terminal`. Never rejects; the response is left on `ctx.response`. */
  run(ctx: HttpExchange, terminal: HttpTerminal): Promise<void>;
}

const HOOKS = ['shouldExecute', 'onRequest', 'onResponse'] as const;
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Creates an HTTP chain. Interceptors run in ascending `priority` on the request; equal priorities keep registration
 * order. A request answered early (by `ctx.respond` or a thrown `HttpError`) goes back through the `onResponse` of the
 * interceptors before the one that answered, as does the endpoint's response. Anything else thrown becomes a 500 with
 * a JSON-RPC error body (`id: null`, `data.reason: 'INTERNAL'`); the cause goes to `onError`, never to the client.
 *
 * @example
 * const chain = createHttpChain([requestLogger(), cors({ origins: ['https://app.example.com'] }), bearerAuth({ tokens: [process.env.TOKEN!] })]);
 */
export function createHttpChain(interceptors: readonly HttpInterceptor[], options: HttpChainOptions = {}): HttpChain {
  if (!Array.isArray(interceptors)) throw new TypeError('createHttpChain: interceptors must be an array');
  optionsObject('createHttpChain', options);
  interceptors.forEach(validateInterceptor);
  const ordered = interceptors
    .map((interceptor, registration) => ({ interceptor, registration }))
    .sort((a, b) => (a.interceptor.priority ?? HttpPriority.Normal) - (b.interceptor.priority ?? HttpPriority.Normal) || a.registration - b.registration)
    .map(({ interceptor }) => interceptor);
  const clock = options.clock ?? systemClock;
  const redactor = createRedactor(options.redaction);
  const settings = { clock, redactor, maxBodyBytes: positiveInt('createHttpChain.maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES) };
  const report = options.onError ?? defaultReporter();
  const routes = new Set(ordered.flatMap((interceptor) => interceptor.routes ?? []));
  const hasPredicates = ordered.some((interceptor) => interceptor.shouldExecute !== undefined);

  /** Turns a failure into the response; only the unexpected ones are reported. */
  function fail(ctx: HttpExchange, cause: unknown, owner: string | undefined): void {
    let error: HttpError;
    if (isHttpError(cause)) {
      error = owner === undefined ? cause : cause.withInterceptor(owner);
    } else {
      error = internalError(owner ?? 'endpoint', cause);
      safely(() => report(error, ctx));
    }
    ctx.respond(error.status, error.toResponse(null), error.headers);
  }

  async function run(ctx: HttpExchange, terminal: HttpTerminal): Promise<void> {
    let active: readonly HttpInterceptor[] = ordered;
    if (hasPredicates) {
      const chosen: HttpInterceptor[] = [];
      for (const interceptor of ordered) {
        try {
          if (interceptor.shouldExecute?.(ctx) !== false) chosen.push(interceptor);
        } catch (cause) {
          fail(ctx, cause, interceptor.name);
          break;
        }
      }
      active = chosen;
    }
    // How many interceptors passed the request on: those see the response on its way back.
    let passed = 0;
    while (!ctx.answered && passed < active.length) {
      const interceptor = active[passed] as HttpInterceptor;
      if (interceptor.onRequest) {
        try {
          const pending = interceptor.onRequest(ctx);
          if (pending !== undefined) await pending;
        } catch (cause) {
          fail(ctx, cause, interceptor.name);
        }
        if (ctx.answered) break;
      }
      passed++;
    }
    if (!ctx.answered) {
      try {
        await terminal(ctx);
        if (!ctx.answered) throw new Error('the endpoint finished without a response');
      } catch (cause) {
        fail(ctx, cause, undefined);
      }
    }
    for (let i = passed - 1; i >= 0; i--) {
      const interceptor = active[i] as HttpInterceptor;
      if (!interceptor.onResponse) continue;
      try {
        const pending = interceptor.onResponse(ctx);
        if (pending !== undefined) await pending;
      } catch (cause) {
        fail(ctx, cause, interceptor.name);
      }
    }
  }

  return {
    interceptors: ordered,
    clock,
    redactor,
    routes,
    describe: () =>
      ordered.map((interceptor, position) => ({
        position,
        name: interceptor.name,
        priority: interceptor.priority ?? HttpPriority.Normal,
        hooks: HOOKS.filter((hook) => typeof interceptor[hook] === 'function'),
      })),
    createContext: (source) => new HttpExchange(source, settings),
    run,
  };
}

function defaultReporter(): HttpErrorReporter {
  const sink = jsonLinesSink();
  return (error, ctx) =>
    sink({
      time: new Date().toISOString(),
      level: 'error',
      event: 'http.server.error',
      requestId: ctx.requestId,
      method: ctx.method,
      url: ctx.log.url,
      ...(error.data.interceptor === undefined ? {} : { interceptor: error.data.interceptor }),
      error: describeCause(error.cause),
    });
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause);
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // A failing reporter must not take the response down with it.
  }
}

function validateInterceptor(value: HttpInterceptor, index: number): void {
  const where = `createHttpChain: interceptor at index ${index}`;
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where} must be an object`);
  if (typeof value.name !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value.name)) {
    throw new TypeError(`${where} needs a kebab-case "name", got ${JSON.stringify(value.name)}`);
  }
  if (value.priority !== undefined && (typeof value.priority !== 'number' || !Number.isFinite(value.priority))) {
    throw new RangeError(`${where} ("${value.name}"): priority must be a finite number, got ${String(value.priority)}`);
  }
  if (value.routes !== undefined && (!Array.isArray(value.routes) || value.routes.some((r) => typeof r !== 'string' || !r.startsWith('/')))) {
    throw new TypeError(`${where} ("${value.name}"): routes must be an array of paths starting with "/"`);
  }
  for (const hook of HOOKS) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') throw new TypeError(`${where} ("${value.name}"): ${hook} must be a function`);
  }
}
