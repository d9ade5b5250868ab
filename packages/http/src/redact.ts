// Redaction for everything the HTTP layer logs: headers (core's list plus yours), query parameters and body keys.
import { REDACTED, redactHeaders, sensitiveHeaderSet, type HeaderValues } from '@mcp-interceptors/core';

export interface RedactionOptions {
  /** Header names to redact on top of core's `SENSITIVE_HEADERS` (case-insensitive). @defaultValue `[]` */
  readonly headers?: readonly string[];
  /** Query-parameter and body keys to redact on top of the built-in sensitive keys (case-insensitive). @defaultValue `[]` */
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

// Keys are compared normalised: lower case, letters and digits only (`X-Api-Key`, `api_key`, `apiKey` → `apikey`).
const SENSITIVE_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'privatekey', 'credential', 'credentials', 'authorization', 'cookie', 'sessionid', 'signature'];
const SENSITIVE_EXACT = ['auth', 'pwd', 'jwt', 'bearer', 'session'];
// Query parameters that carry secrets by convention (`?key=` API keys, OAuth `?code=`, signed-URL `?sig=`), but
// mean something else in JSON-RPC bodies (an error's `code`).
const SENSITIVE_QUERY_ONLY = ['key', 'code', 'sig'];
// Protocol fields that merely end like a secret.
const NOT_SENSITIVE = new Set(['progresstoken']);
const MAX_DEPTH = 32;

const normalise = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Builds a redactor; the default one is {@link defaultRedactor}. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const headerSet = sensitiveHeaderSet(options.headers ?? []);
  const exact = new Set([...SENSITIVE_EXACT, ...(options.keys ?? []).map(normalise)]);
  const showAuthScheme = options.showAuthScheme ?? true;
  const queryOnly = new Set(SENSITIVE_QUERY_ONLY);
  const cache = new Map<string, boolean>();

  const isSensitiveKey = (key: string): boolean => {
    let verdict = cache.get(key);
    if (verdict === undefined) {
      const k = normalise(key);
      verdict = !NOT_SENSITIVE.has(k) && (exact.has(k) || SENSITIVE_SUFFIXES.some((suffix) => k.endsWith(suffix)));
      if (cache.size < 1024) cache.set(key, verdict);
    }
    return verdict;
  };

  const isSensitiveQueryKey = (key: string): boolean => isSensitiveKey(key) || queryOnly.has(normalise(key));

  const value = (input: unknown, depth = 0): unknown => {
    if (typeof input !== 'object' || input === null) return input;
    if (depth >= MAX_DEPTH) return '[TRUNCATED]';
    if (Array.isArray(input)) return input.map((item) => value(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) out[key] = isSensitiveKey(key) ? REDACTED : value(item, depth + 1);
    return out;
  };

  return {
    isSensitiveKey,
    value: (input) => value(input),
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
