// Test helpers shipped with core (subpath "./testing"): a manual clock and a way to run one request through a chain
// without a transport.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Chain } from './chain.js';
import type { Clock, TimerHandle } from './clock.js';
import { ExchangeContext, type Direction } from './context.js';
import type { JsonObject, JsonRpcId, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';
import { SessionState, type Side } from './session.js';

export interface ManualClock extends Clock {
  /** Moves time forward, running due timers in order; awaits pending promise work between timers. */
  advance(ms: number): Promise<void>;
  /** Timers not yet run. */
  readonly pendingTimers: number;
}

/**
 * A clock that moves only when told to. Inject it wherever an option says `clock`.
 *
 * @example
 * const clock = createManualClock();
 * const chain = createChain([timeout({ defaultMs: 100 })], { clock });
 * await clock.advance(100);
 */
export function createManualClock(startMs = 1_700_000_000_000): ManualClock {
  let now = startMs;
  let sequence = 0;
  const timers = new Map<number, { at: number; seq: number; callback: () => void }>();
  const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const seq = ++sequence;
      timers.set(seq, { at: now + Math.max(0, ms), seq, callback });
      return seq as unknown as TimerHandle;
    },
    clearTimeout(handle) {
      timers.delete(handle as unknown as number);
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        let due: { at: number; seq: number; callback: () => void } | undefined;
        for (const timer of timers.values()) {
          if (timer.at <= target && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.seq < due.seq))) due = timer;
        }
        if (due === undefined) break;
        timers.delete(due.seq);
        now = Math.max(now, due.at);
        due.callback();
        await flush();
      }
      now = target;
      await flush();
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}

export interface RunOptions {
  readonly side?: Side;
  readonly direction?: Direction;
  readonly id?: JsonRpcId;
  /** What `ctx.auth` holds (the SDK's `extra.authInfo`). */
  readonly auth?: AuthInfo;
  /** What `ctx.session.sessionId` reads. */
  readonly sessionId?: string;
  /** Answers the request when it passes every interceptor. @defaultValue an empty result */
  readonly handler?: (request: JsonRpcRequest) => JsonObject | Promise<JsonObject>;
}

export interface RunResult {
  readonly response: JsonRpcResponse;
  /** The requests that reached the handler, as the chain left them. */
  readonly handled: JsonRpcRequest[];
  readonly ctx: ExchangeContext;
}

/**
 * Runs one request through `chain` with a handler in place of a transport. For unit tests of interceptors;
 * end-to-end behaviour is tested through `intercept()` on real SDK transports.
 */
export async function runRequest(chain: Chain, method: string, params?: JsonObject, options: RunOptions = {}): Promise<RunResult> {
  const request: JsonRpcRequest = { jsonrpc: '2.0', id: options.id ?? 1, method, ...(params === undefined ? {} : { params }) };
  const ctx = testContext(chain, request.method, request.id, request.params, 'request', options);
  const handled: JsonRpcRequest[] = [];
  const response = await chain.handleRequest(request, ctx, async (req) => {
    handled.push(req);
    const result = options.handler ? await options.handler(req) : {};
    return { jsonrpc: '2.0', id: req.id, result: result as JsonObject };
  });
  return { response, handled, ctx };
}

/** Runs one notification through `chain`; resolves whether it was kept. */
export async function runNotification(chain: Chain, method: string, params?: JsonObject, options: ContextOptions = {}): Promise<{ kept: boolean; notification: JsonRpcNotification }> {
  const notification: JsonRpcNotification = { jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) };
  const ctx = testContext(chain, method, undefined, notification.params, 'notification', options);
  return { kept: await chain.handleNotification(notification, ctx), notification };
}

type ContextOptions = Pick<RunOptions, 'side' | 'direction' | 'auth' | 'sessionId'>;

function testContext(chain: Chain, method: string, id: JsonRpcId | undefined, params: JsonObject | undefined, kind: 'request' | 'notification', options: ContextOptions): ExchangeContext {
  const side = options.side ?? 'server';
  return new ExchangeContext({
    side,
    direction: options.direction ?? 'inbound',
    kind,
    method,
    jsonrpcId: id,
    params,
    session: new SessionState(side, 'in-memory', () => options.sessionId),
    clock: chain.clock,
    metrics: chain.metrics,
    auth: options.auth,
  });
}
