// What the HTTP context needs from a platform's request (node:http, Express, web `Request`), behind one interface.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { HeaderValues } from '@mcp-interceptors/core';

/** Returned by `readBody` once more than the allowed bytes have arrived (the rest is never read). */
export const TOO_LARGE: unique symbol = Symbol('too-large');

export interface RequestSource {
  /** Upper-case. */
  readonly method: string;
  /** Path and query as received, e.g. `/mcp?x=1`. */
  readonly target: string;
  readonly remoteAddress: string | undefined;
  /** One header by lower-case name; repeated headers joined with `, `. */
  header(name: string): string | undefined;
  /** All headers, lower-case names (raw: interceptors redact through `ctx.log`). */
  headers(): HeaderValues;
  /** The absolute URL (host from the `Host` header, `localhost` when that is unusable). */
  url(): URL;
  /** Reads the whole body, stopping as soon as more than `maxBytes` have arrived. */
  readBody(maxBytes: number): Promise<Uint8Array | typeof TOO_LARGE>;
  /** Auth a framework middleware already established (`req.auth`); the initial `ctx.auth`. */
  readonly initialAuth: AuthInfo | undefined;
  /** A body a framework already parsed (Express's `express.json()`). */
  readonly preParsed: { readonly value: unknown } | undefined;
  /** The request as a web `Request` for the SDK transport; its body is never read (the parsed body is passed). */
  toRequest(): Request;
  /** Mirrors `ctx.auth` onto the platform request (`req.auth`, as the SDK's bearer middleware does). */
  setAuth(auth: AuthInfo | undefined): void;
}

/** Builds an absolute URL from a request target and a Host header, falling back to `localhost` for a bad Host. */
export function absoluteUrl(target: string, scheme: 'http' | 'https', host: string | undefined): URL {
  if (host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) {
    try {
      return new URL(target, `${scheme}://${host}`);
    } catch {
      // fall through
    }
  }
  try {
    return new URL(target, `${scheme}://localhost`);
  } catch {
    return new URL(`${scheme}://localhost/`);
  }
}

export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
