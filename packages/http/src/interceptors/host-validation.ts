// host-validation: DNS-rebinding protection. A page on evil.example that rebinds its name to 127.0.0.1 still sends
// `Host: evil.example` and `Origin: http://evil.example`; both are checked against allow-lists.
import { ErrorCode } from '@mcp-interceptors/core';
import { HttpError } from '../http-error.js';
import { HttpPriority, type HttpInterceptor } from '../http-interceptor.js';
import { optionsObject, priority, stringList } from '../internal/options.js';
import { originMatcher, type OriginPattern } from '../internal/origin-matcher.js';
import { LOOPBACK_ORIGINS } from './cors.js';

export interface HostValidationOptions {
  /**
   * Accepted `Host` values: a name (any port) or `name:port` (that port only). Compared case-insensitively.
   * @defaultValue `['localhost', '127.0.0.1', '[::1]']`
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Accepted `Origin` values when a request has one (requests without `Origin`, from non-browser clients, pass):
   * exact origins, patterns with `*`, or RegExps.
   * @defaultValue the loopback origins on any port
   */
  readonly allowedOrigins?: readonly OriginPattern[];
  /** @defaultValue HttpPriority.HostValidation (200) */
  readonly priority?: number;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Rejects a request whose `Host` (missing counts) or `Origin` is not on the allow-lists with 403 and a JSON-RPC error:
 * code -31005, `data.reason` `FORBIDDEN_HOST` or `FORBIDDEN_ORIGIN`. Put your public host names in `allowedHosts`
 * when the server is reached through them.
 *
 * @example createHttpChain([hostValidation({ allowedHosts: ['mcp.example.com'], allowedOrigins: ['https://app.example.com'] })]);
 */
export function hostValidation(options: HostValidationOptions = {}): HttpInterceptor {
  optionsObject('hostValidation', options);
  const names = new Set<string>();
  const hostPorts = new Set<string>();
  stringList('hostValidation.allowedHosts', options.allowedHosts, LOOPBACK_HOSTS).forEach((entry, index) => {
    const parsed = splitHost(entry.toLowerCase());
    if (parsed === undefined) throw new TypeError(`hostValidation.allowedHosts[${index}] must be a host name, optionally with ":port", got ${JSON.stringify(entry)}`);
    if (parsed.port === undefined) names.add(parsed.name);
    else hostPorts.add(`${parsed.name}:${parsed.port}`);
  });
  if (options.allowedOrigins !== undefined && !Array.isArray(options.allowedOrigins)) throw new TypeError('hostValidation.allowedOrigins must be an array of origins, patterns and RegExps');
  const originAllowed = originMatcher('hostValidation.allowedOrigins', options.allowedOrigins ?? LOOPBACK_ORIGINS);

  const hostAllowed = (host: string | undefined): boolean => {
    if (host === undefined) return false;
    const parsed = splitHost(host.toLowerCase());
    if (parsed === undefined) return false;
    return names.has(parsed.name) || (parsed.port !== undefined && hostPorts.has(`${parsed.name}:${parsed.port}`));
  };

  return {
    name: 'host-validation',
    priority: priority('hostValidation.priority', options.priority, HttpPriority.HostValidation),
    onRequest(ctx) {
      // The offending value is not echoed: it is attacker-chosen.
      if (!hostAllowed(ctx.header('host'))) {
        throw new HttpError(403, ErrorCode.AccessDenied, 'Forbidden: Host header not allowed', { reason: 'FORBIDDEN_HOST' });
      }
      const origin = ctx.header('origin');
      if (origin !== undefined && !originAllowed(origin)) {
        throw new HttpError(403, ErrorCode.AccessDenied, 'Forbidden: Origin not allowed', { reason: 'FORBIDDEN_ORIGIN' });
      }
    },
  };
}

/** `name[:port]`, with bracketed IPv6 (`[::1]:3000`); undefined when malformed. */
function splitHost(host: string): { name: string; port: string | undefined } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host);
  if (match === null) return undefined;
  return { name: match[1] as string, port: match[2] };
}
