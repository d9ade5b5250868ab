// security-headers: conservative response headers for an API that serves no HTML, set only where absent.
import { HttpPriority, type HttpInterceptor } from '../http-interceptor.js';
import { isPlainObject, optionsObject, priority, show } from '../internal/options.js';

export interface SecurityHeadersOptions {
  /**
   * Headers to set when the response lacks them; `false` turns one of the defaults off, a string replaces it.
   * @defaultValue `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
   * `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`, `Cache-Control: no-store`,
   * `Cross-Origin-Resource-Policy: same-origin`
   */
  readonly headers?: Readonly<Record<string, string | false>>;
  /** `Strict-Transport-Security` value; set it when the server is reached over HTTPS only. @defaultValue not sent */
  readonly hsts?: string;
  /** @defaultValue HttpPriority.SecurityHeaders (150) */
  readonly priority?: number;
}

const DEFAULTS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Adds security headers to every response that passes it (early answers of later interceptors included). A header
 * the response already has is kept: the SSE stream's `Cache-Control: no-cache` stays as the SDK set it.
 *
 * @example createHttpChain([securityHeaders({ hsts: 'max-age=31536000', headers: { 'cross-origin-resource-policy': 'cross-origin' } })]);
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): HttpInterceptor {
  optionsObject('securityHeaders', options);
  const merged: Record<string, string | false> = { ...DEFAULTS };
  if (options.headers !== undefined) {
    if (!isPlainObject(options.headers)) throw new TypeError(`securityHeaders.headers must be an object, got ${show(options.headers)}`);
    for (const [name, value] of Object.entries(options.headers)) {
      if (value !== false && (typeof value !== 'string' || value.length === 0)) {
        throw new TypeError(`securityHeaders.headers["${name}"] must be a non-empty string or false, got ${show(value)}`);
      }
      merged[name.toLowerCase()] = value;
    }
  }
  if (options.hsts !== undefined) {
    if (typeof options.hsts !== 'string' || !/^max-age=\d+/.test(options.hsts)) throw new TypeError(`securityHeaders.hsts must start with "max-age=<seconds>", got ${show(options.hsts)}`);
    merged['strict-transport-security'] = options.hsts;
  }
  const entries = Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== false);

  return {
    name: 'security-headers',
    priority: priority('securityHeaders.priority', options.priority, HttpPriority.SecurityHeaders),
    onResponse(ctx) {
      const headers = ctx.response.headers;
      for (const [name, value] of entries) if (!headers.has(name)) headers.set(name, value);
    },
  };
}
