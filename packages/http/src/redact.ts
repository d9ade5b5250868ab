// Redaction for everything the HTTP layer logs: headers (core's list plus yours), query parameters and body keys.
import { REDACTED, redactHeaders, redactSensitive, sensitiveHeaderSet, sensitiveKeyMatcher, type HeaderValues } from '@mcp-interceptors/core';

export interface RedactionOptions {
  /** Header names to redact on top of core's `SENSITIVE_HEADERS` (case-insensitive). @defaultValue `[]` */
  readonly headers?: readonly string[];
  /** Query-parameter and body keys to redact on top of core's `DEFAULT_SENSITIVE_KEYS` and a few more (auth, jwt, bearer, signature, …). @defaultValue `[]` */
  readonly keys?: readonly string[];
  /** Keep the scheme of `Authorization`/`Proxy-Authorization`: `Bearer [REDACTED]`. @defaultValue true */
  readonly showAuthScheme?: boolean;
}

export interface Redactor {
  /** Lower-cased copy with sensitive values replaced by `[REDACTED]`. */
  headers(headers: HeaderValues): Record<string, string | string[]>;
  /** The URL (absolute or path + query) with sensitive query values and any userinfo replaced. */
  url(url: string): string;
  /** A copy of a JSON value with the values under sensitive keys replaced, at any depth. */
  value(value: unknown): unknown;
  /** A form body (`a=1&b=2`) with sensitive values replaced. */
  form(body: string): string;
  isSensitiveKey(key: string): boolean;
}

// On top of core's DEFAULT_SENSITIVE_KEYS (matched on whole keys and trailing words): a few more credential names.
const EXTRA_SENSITIVE_KEYS = ['auth', 'pwd', 'jwt', 'bearer', 'session_id', 'signature', 'access_key'];
// Query parameters that carry secrets by convention (`?key=` API keys, OAuth `?code=`, signed-URL `?sig=`), but
// mean something else in JSON-RPC bodies (an error's `code`).
const SENSITIVE_QUERY_ONLY = new Set(['key', 'code', 'sig']);

/** Builds a redactor; the default one is {@link defaultRedactor}. Key matching is core's `sensitiveKeyMatcher`. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const headerSet = sensitiveHeaderSet(options.headers ?? []);
  const isSensitiveKey = sensitiveKeyMatcher([...EXTRA_SENSITIVE_KEYS, ...(options.keys ?? [])]);
  const showAuthScheme = options.showAuthScheme ?? true;
  const isSensitiveQueryKey = (key: string): boolean => isSensitiveKey(key) || SENSITIVE_QUERY_ONLY.has(key.toLowerCase());

  return {
    isSensitiveKey,
    value: (input) => redactSensitive(input, isSensitiveKey),
    form: (body) => redactPairs(body, isSensitiveQueryKey),
    headers(headers) {
      const out = redactHeaders(headers, headerSet);
      if (showAuthScheme) {
        for (const name of ['authorization', 'proxy-authorization']) {
          if (out[name] !== REDACTED) continue;
          const raw = headerValue(headers, name);
          const scheme = raw === undefined ? undefined : /^([A-Za-z][\w.+-]*)\s+\S/.exec(raw)?.[1];
          if (scheme !== undefined) out[name] = `${scheme} ${REDACTED}`;
        }
      }
      return out;
    },
    url(url) {
      let result = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`);
      const q = result.indexOf('?');
      if (q < 0) return result;
      const hash = result.indexOf('#', q);
      const end = hash < 0 ? result.length : hash;
      result = result.slice(0, q + 1) + redactPairs(result.slice(q + 1, end), isSensitiveQueryKey) + (hash < 0 ? '' : '#' + REDACTED);
      return result;
    },
  };
}

/** Redacts an `a=1&b=2` string by key (query strings and form bodies). */
export function redactPairs(query: string, isSensitiveKey: (key: string) => boolean): string {
  if (query.length === 0) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the raw key.
      }
      return isSensitiveKey(key) ? `${rawKey}=${REDACTED}` : pair;
    })
    .join('&');
}

function headerValue(headers: HeaderValues, lowerName: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lowerName || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

/** The redactor with the built-in lists only. */
export const defaultRedactor: Redactor = createRedactor();
