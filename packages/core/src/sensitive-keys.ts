// Which object keys hold credentials, and redacted copies / redacted, length-capped JSON of any value.
// Used by logging (params, results, error data, `_meta`) and by anything else that writes frames somewhere.
import { REDACTED } from './redact-headers.js';

/**
 * Key names whose values are credentials. Matched case-insensitively, ignoring `-`, `_`, `.` and spaces, against the
 * whole key or its trailing words: `password` also covers `db_password`, `apiKey` covers `X-Api-Key`, `token` covers
 * `githubToken` (but not `maxTokens`).
 */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'secret',
  'client_secret',
  'secret_access_key',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'set-cookie',
  'credential',
  'credentials',
  'private_key',
]);

/** MCP protocol fields that end like a sensitive key but are not credentials. */
const NOT_SENSITIVE = new Set(['progresstoken']);

/** Decides whether a key's value is a credential. */
export type SensitiveKeyMatcher = (key: string) => boolean;

/** Extra key names (added to the defaults), or a matcher made by {@link sensitiveKeyMatcher}. */
export type SensitiveKeys = readonly string[] | SensitiveKeyMatcher;

const MATCH_CACHE_LIMIT = 1024;
const WORD_BOUNDARY = /[-_.\s]+|(?<=[a-z0-9])(?=[A-Z])/;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]+/g, '');
}

/**
 * Builds a matcher for the default sensitive keys plus `extra`. Results are cached per key name, so build it once
 * and reuse it.
 *
 * @example
 * const isSecret = sensitiveKeyMatcher(['x-tenant-key']);
 * isSecret('X_Tenant_Key'); // true
 */
export function sensitiveKeyMatcher(extra: readonly string[] = []): SensitiveKeyMatcher {
  if (!Array.isArray(extra) || extra.some((k) => typeof k !== 'string' || normalize(k).length === 0)) {
    throw new TypeError('sensitiveKeyMatcher: extra must be an array of non-empty strings');
  }
  const names = new Set([...DEFAULT_SENSITIVE_KEYS, ...extra].map(normalize));
  const cache = new Map<string, boolean>();
  return (key) => {
    let hit = cache.get(key);
    if (hit !== undefined) return hit;
    hit = matches(key, names);
    // Keys come from untrusted frames: keep the cache bounded.
    if (cache.size >= MATCH_CACHE_LIMIT) cache.clear();
    cache.set(key, hit);
    return hit;
  };
}

function matches(key: string, names: ReadonlySet<string>): boolean {
  const whole = normalize(key);
  if (NOT_SENSITIVE.has(whole)) return false;
  if (names.has(whole)) return true;
  const words = key.split(WORD_BOUNDARY).filter((w) => w.length > 0);
  let suffix = '';
  for (let i = words.length - 1; i > 0; i--) {
    suffix = (words[i] as string).toLowerCase() + suffix;
    if (names.has(suffix)) return true;
  }
  return false;
}

const defaultMatcher = sensitiveKeyMatcher();

function matcherOf(keys: SensitiveKeys | undefined): SensitiveKeyMatcher {
  if (keys === undefined) return defaultMatcher;
  return typeof keys === 'function' ? keys : sensitiveKeyMatcher(keys);
}

/**
 * True when `key` names a credential (the defaults plus `keys`).
 *
 * @example isSensitiveKey('Client-Secret'); // true
 */
export function isSensitiveKey(key: string, keys?: SensitiveKeys): boolean {
  return matcherOf(keys)(key);
}

export interface RedactSensitiveOptions {
  /** Objects nested deeper than this are replaced by `'[Truncated]'`. @defaultValue 32 */
  readonly maxDepth?: number;
}

const TRUNCATED = '[Truncated]';
const CIRCULAR = '[Circular]';

/**
 * Returns a copy of `value` in which the value of every sensitive key, at any depth and inside arrays, is
 * `'[REDACTED]'`. Never modifies `value`. Cycles become `'[Circular]'`; objects deeper than `maxDepth` become
 * `'[Truncated]'`.
 *
 * @example
 * redactSensitive({ user: 'ada', auth: { access_token: 't0k' } });
 * // { user: 'ada', auth: { access_token: '[REDACTED]' } }
 */
export function redactSensitive<T>(value: T, keys?: SensitiveKeys, options: RedactSensitiveOptions = {}): T {
  const isSensitive = matcherOf(keys);
  const maxDepth = options.maxDepth ?? 32;
  const ancestors = new Set<object>();
  const copy = (node: unknown, depth: number): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if (ancestors.has(node)) return CIRCULAR;
    if (depth >= maxDepth) return TRUNCATED;
    ancestors.add(node);
    let out: unknown;
    if (Array.isArray(node)) {
      out = node.map((item: unknown) => copy(item, depth + 1));
    } else {
      const record: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        record[key] = isSensitive(key) ? REDACTED : copy((node as Record<string, unknown>)[key], depth + 1);
      }
      out = record;
    }
    ancestors.delete(node);
    return out;
  };
  return copy(value, 0) as T;
}

export interface RedactedJsonOptions extends RedactSensitiveOptions {
  /** Longer output is cut here and ends with `…[truncated]`. @defaultValue no limit */
  readonly maxLength?: number;
}

/** What cut output ends with. */
export const TRUNCATION_MARKER = '…[truncated]';

/**
 * Serializes `value` as JSON with sensitive values redacted (as {@link redactSensitive}), stopping as soon as the
 * output passes `maxLength`, so a large payload costs no more than the part that is kept.
 *
 * @example redactedJson({ password: 'x', data: 'y'.repeat(10_000) }, undefined, { maxLength: 64 })
 */
export function redactedJson(value: unknown, keys?: SensitiveKeys, options: RedactedJsonOptions = {}): string {
  const isSensitive = matcherOf(keys);
  const maxDepth = options.maxDepth ?? 32;
  const maxLength = options.maxLength ?? Infinity;
  const parts: string[] = [];
  const ancestors = new Set<object>();
  let length = 0;
  let full = false;

  const emit = (text: string): void => {
    parts.push(text);
    length += text.length;
    if (length > maxLength) full = true;
  };
  const write = (node: unknown, depth: number): void => {
    if (full) return;
    switch (typeof node) {
      case 'string':
        // A huge string is cut before it is escaped.
        emit(JSON.stringify(node.length > maxLength ? node.slice(0, maxLength + 1) : node));
        return;
      case 'number':
        emit(Number.isFinite(node) ? String(node) : 'null');
        return;
      case 'boolean':
        emit(node ? 'true' : 'false');
        return;
      case 'bigint':
        emit(JSON.stringify(String(node)));
        return;
      case 'object':
        break;
      default:
        emit('null');
        return;
    }
    if (node === null) return emit('null');
    if (ancestors.has(node)) return emit(JSON.stringify(CIRCULAR));
    if (depth >= maxDepth) return emit(JSON.stringify(TRUNCATED));
    const json = (node as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return write((json as () => unknown).call(node), depth);
    ancestors.add(node);
    if (Array.isArray(node)) {
      emit('[');
      for (let i = 0; i < node.length && !full; i++) {
        if (i > 0) emit(',');
        write(node[i], depth + 1);
      }
      emit(']');
    } else {
      emit('{');
      let first = true;
      for (const key of Object.keys(node)) {
        if (full) break;
        const item = (node as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        if (isSensitive(key)) emit(JSON.stringify(REDACTED));
        else write(item, depth + 1);
      }
      emit('}');
    }
    ancestors.delete(node);
  };

  write(value, 0);
  const text = parts.join('');
  return full ? text.slice(0, maxLength) + TRUNCATION_MARKER : text;
}
