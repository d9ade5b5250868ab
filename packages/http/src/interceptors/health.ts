// health: liveness (`/healthz`) and readiness (`/readyz`) endpoints answered before the MCP endpoint.
import { HttpPriority, type Awaitable, type HttpInterceptor } from '../http-interceptor.js';
import { fn, optionsObject, path, priority } from '../internal/options.js';

/** A readiness verdict: a boolean, or an object whose `ready` decides and whose other fields are sent as details. */
export type ReadinessResult = boolean | { readonly ready: boolean; readonly [detail: string]: unknown };

export interface HealthOptions {
  /** The liveness path: 200 while the process serves requests. @defaultValue `'/healthz'` */
  readonly path?: string;
  /** The readiness path: 200 when `ready()` says so, 503 otherwise. @defaultValue `'/readyz'` */
  readonly readinessPath?: string;
  /** Decides readiness (a throw counts as not ready). @defaultValue always ready */
  readonly ready?: () => Awaitable<ReadinessResult>;
  /** @defaultValue HttpPriority.Health (50) */
  readonly priority?: number;
}

/**
 * Answers `GET`/`HEAD` on the liveness and readiness paths with a small JSON body (`{ "status": "ok" }`,
 * `{ "status": "ready" }` or 503 `{ "status": "unavailable" }`), without authentication. Other methods on those
 * paths get 405.
 *
 * @example createHttpChain([health({ ready: () => database.isConnected() })]);
 */
export function health(options: HealthOptions = {}): HttpInterceptor {
  optionsObject('health', options);
  const livePath = path('health.path', options.path, '/healthz');
  const readyPath = path('health.readinessPath', options.readinessPath, '/readyz');
  if (livePath === readyPath) throw new TypeError('health.path and health.readinessPath must differ');
  const ready = fn<() => Awaitable<ReadinessResult>>('health.ready', options.ready);
  const noStore = { 'cache-control': 'no-store' };

  return {
    name: 'health',
    priority: priority('health.priority', options.priority, HttpPriority.Health),
    routes: [livePath, readyPath],
    async onRequest(ctx) {
      const at = ctx.path;
      if (at !== livePath && at !== readyPath) return;
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        ctx.respond(405, { status: 'method_not_allowed' }, { allow: 'GET, HEAD', ...noStore });
        return;
      }
      if (at === livePath) {
        ctx.respond(200, { status: 'ok' }, noStore);
        return;
      }
      let verdict: ReadinessResult;
      try {
        verdict = ready === undefined ? true : await ready();
      } catch {
        verdict = false;
      }
      const isReady = typeof verdict === 'boolean' ? verdict : verdict.ready === true;
      const details = typeof verdict === 'object' ? Object.fromEntries(Object.entries(verdict).filter(([key]) => key !== 'ready')) : {};
      ctx.respond(isReady ? 200 : 503, { ...details, status: isReady ? 'ready' : 'unavailable' }, noStore);
    },
  };
}
