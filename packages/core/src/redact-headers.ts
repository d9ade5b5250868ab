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
