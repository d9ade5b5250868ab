// Header redaction shared by the JSON-RPC context (`ctx.http`) and the HTTP layer's logs.

/** Headers whose values are credentials. Compared case-insensitively. */
export const SENSITIVE_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
]);

export const REDACTED = '[REDACTED]';

export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Returns a copy of `headers` with the values of sensitive headers replaced by `[REDACTED]`.
 * Keys are lower-cased; the input is never modified.
 */
export function redactHeaders(headers: HeaderValues, sensitive: ReadonlySet<string> = DEFAULT_SENSITIVE_SET): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = key.toLowerCase();
    out[lower] = sensitive.has(lower) ? REDACTED : typeof value === 'string' ? value : [...value];
  }
  return out;
}

/** Builds the lookup set for {@link redactHeaders} from the defaults plus `extra` names. */
export function sensitiveHeaderSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...SENSITIVE_HEADERS, ...extra.map((h) => h.toLowerCase())]);
}

const DEFAULT_SENSITIVE_SET = sensitiveHeaderSet();

/** Query parameters whose values are credentials (`?access_token=…`), compared case-insensitively. */
const SENSITIVE_QUERY = /^(?:access[-_]?token|token|id[-_]?token|refresh[-_]?token|api[-_]?key|apikey|key|secret|client[-_]?secret|password|passwd|auth|authorization|code|sig|signature|session|sessionid)$/i;

/** The URL as text with the values of credential-like query parameters replaced by `[REDACTED]`. */
export function redactUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  if (parsed.search === '') return parsed.toString();
  const copy = new URL(parsed.toString());
  let changed = false;
  for (const name of new Set(copy.searchParams.keys())) {
    if (SENSITIVE_QUERY.test(name)) {
      const count = copy.searchParams.getAll(name).length;
      copy.searchParams.delete(name);
      for (let i = 0; i < count; i++) copy.searchParams.append(name, REDACTED);
      changed = true;
    }
  }
  return changed ? copy.toString() : parsed.toString();
}
