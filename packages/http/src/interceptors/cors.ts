// cors: an origin allow-list for browser clients, preflights answered, MCP's headers allowed and exposed.
import { HttpPriority, type HttpInterceptor } from '../http-interceptor.js';
import { boolean, nonNegativeInt, optionsObject, priority, stringList } from '../internal/options.js';
import { originMatcher, type OriginPattern } from '../internal/origin-matcher.js';
import { appendVary } from '../internal/vary.js';

export interface CorsOptions {
  /**
   * Origins allowed to call from a browser: exact (`https://app.example.com`), patterns with `*`
   * (`https://*.example.com`, `http://localhost:*`) or RegExps; or `'*'` for any origin, which cannot be combined
   * with `credentials`.
   * @defaultValue the loopback origins: `http://localhost`, `http://127.0.0.1`, `http://[::1]`, on any port
   */
  readonly origins?: readonly OriginPattern[] | '*';
  /** Send `Access-Control-Allow-Credentials: true` (cookies, client certificates). Needs explicit origins. @defaultValue false */
  readonly credentials?: boolean;
  /** Headers a browser may send, on top of the defaults (Content-Type, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, Accept, traceparent, tracestate). @defaultValue `[]` */
  readonly allowHeaders?: readonly string[];
  /** Response headers a browser may read, on top of Mcp-Session-Id, Mcp-Protocol-Version and WWW-Authenticate. @defaultValue `[]` */
  readonly exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight (`Access-Control-Max-Age`), in seconds. @defaultValue 7200 */
  readonly maxAgeSeconds?: number;
  /** @defaultValue HttpPriority.Cors (300) */
  readonly priority?: number;
}

export const LOOPBACK_ORIGINS: readonly string[] = Object.freeze([
  'http://localhost',
  'http://localhost:*',
  'http://127.0.0.1',
  'http://127.0.0.1:*',
  'http://[::1]',
  'http://[::1]:*',
]);

const METHODS = 'GET, POST, DELETE, OPTIONS';
const ALLOW_HEADERS = ['Content-Type', 'Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID', 'Accept', 'traceparent', 'tracestate'];
// WWW-Authenticate: so a browser client can read a 401's challenge and start OAuth.
const EXPOSE_HEADERS = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate'];

/**
 * CORS for MCP over Streamable HTTP. Answers preflights (`OPTIONS` with `Access-Control-Request-Method`) with 204
 * and adds `Access-Control-Allow-Origin` (the caller's origin, echoed) to every response for an allowed origin. A
 * disallowed origin gets no CORS headers at all, so the browser blocks it; `Vary: Origin` is always set.
 *
 * @example
 * createHttpChain([cors({ origins: ['https://app.example.com', 'https://*.example.dev'], credentials: true })]);
 */
export function cors(options: CorsOptions = {}): HttpInterceptor {
  optionsObject('cors', options);
  const credentials = boolean('cors.credentials', options.credentials, false);
  const origins = options.origins ?? LOOPBACK_ORIGINS;
  const any = origins === '*';
  if (!any && !Array.isArray(origins)) throw new TypeError(`cors.origins must be '*' or an array of origins, patterns and RegExps`);
  if (any && credentials) {
    throw new TypeError("cors.credentials cannot be used with origins '*': browsers refuse credentialed wildcard responses; list the origins instead");
  }
  const allowed = any ? () => true : originMatcher('cors.origins', origins);
  const allowHeaders = [...ALLOW_HEADERS, ...stringList('cors.allowHeaders', options.allowHeaders, [])].join(', ');
  const exposeHeaders = [...EXPOSE_HEADERS, ...stringList('cors.exposeHeaders', options.exposeHeaders, [])].join(', ');
  const maxAge = String(nonNegativeInt('cors.maxAgeSeconds', options.maxAgeSeconds, 7200));

  const allowOrigin = (origin: string): string => (any ? '*' : origin);

  return {
    name: 'cors',
    priority: priority('cors.priority', options.priority, HttpPriority.Cors),
    onRequest(ctx) {
      if (ctx.method !== 'OPTIONS' || ctx.header('access-control-request-method') === undefined) return;
      const origin = ctx.header('origin');
      const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
      if (origin !== undefined && allowed(origin)) {
        headers['access-control-allow-origin'] = allowOrigin(origin);
        headers['access-control-allow-methods'] = METHODS;
        headers['access-control-allow-headers'] = allowHeaders;
        headers['access-control-max-age'] = maxAge;
        if (credentials) headers['access-control-allow-credentials'] = 'true';
      }
      ctx.respond(204, null, headers);
    },
    onResponse(ctx) {
      const headers = ctx.response.headers;
      appendVary(headers, 'Origin');
      const origin = ctx.header('origin');
      if (origin === undefined || !allowed(origin)) return;
      headers.set('access-control-allow-origin', allowOrigin(origin));
      headers.set('access-control-expose-headers', exposeHeaders);
      if (credentials) headers.set('access-control-allow-credentials', 'true');
    },
  };
}
