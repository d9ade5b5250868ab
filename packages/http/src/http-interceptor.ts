// The HTTP interceptor contract: a numeric priority (lower runs first), a per-request predicate and two hooks.
import type { HttpContext } from './http-context.js';

export type Awaitable<T> = T | Promise<T>;

/**
 * Priority bands of the built-ins, lower first (outermost). Requests pass them in ascending order; responses,
 * including early answers (a preflight, a 401, a 403, a 413), come back through the interceptors before the one
 * that answered, in reverse order. Gaps leave room for your own interceptors.
 */
export const HttpPriority = {
  /** `health`: probes are answered before logging and host checks (kubelet probes carry the pod IP as Host). */
  Health: 50,
  /** `request-logger`: outermost of the rest, so it sees every outcome, rejections included. */
  Logging: 100,
  /** `security-headers`: on every response below it. */
  SecurityHeaders: 150,
  /** `host-validation`: DNS-rebinding protection, before anything is answered for the browser. */
  HostValidation: 200,
  /** `cors`: preflights, and CORS headers on every response below it (so a browser can read a 401). */
  Cors: 300,
  /** `bearer-auth`. */
  Auth: 400,
  /** `body-limit`. */
  BodyLimit: 500,
  /** The default for interceptors that do not say. */
  Normal: 1000,
} as const;

export interface HttpInterceptor {
  /** Kebab-case; appears in logs and in `error.data.interceptor`. */
  readonly name: string;
  /** Lower runs earlier on the request and later on the response. Equal priorities keep registration order. @defaultValue HttpPriority.Normal */
  readonly priority?: number;
  /** Paths this interceptor answers itself (e.g. `/healthz`); framework adapters route them to the chain. */
  readonly routes?: readonly string[];
  /** Decided once per request, before any hook. An interceptor that says no is skipped in both directions. */
  shouldExecute?(ctx: HttpContext): boolean;
  /** Sees the request. Answer early with `ctx.respond(...)` or by throwing an `HttpError`. */
  onRequest?(ctx: HttpContext): Awaitable<void>;
  /** Sees (and may change) the response on its way out: `ctx.response.status`, `.headers`, `.body`. */
  onResponse?(ctx: HttpContext): Awaitable<void>;
}
