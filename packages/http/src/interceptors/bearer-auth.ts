// bearer-auth: `Authorization: Bearer <token>` checked against static tokens or a verifier; the result becomes
// `ctx.auth` (and `req.auth`), which the SDK transport hands to the JSON-RPC chain as `ctx.auth`.
import { createHash } from 'node:crypto';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { ErrorCode } from '@mcp-interceptors/core';
import type { HttpContext } from '../http-context.js';
import { HttpError } from '../http-error.js';
import { HttpPriority, type Awaitable, type HttpInterceptor } from '../http-interceptor.js';
import { fn, isPlainObject, optionsObject, priority, show, string, stringList } from '../internal/options.js';

/** What a static token stands for; `token` is filled in. */
export type StaticTokenInfo = Partial<Omit<AuthInfo, 'token'>>;

/** Returns the token's AuthInfo, or undefined to reject it. The SDK's `OAuthTokenVerifier` works too. */
export type VerifyToken = (token: string, ctx: HttpContext) => Awaitable<AuthInfo | undefined>;

export interface BearerAuthOptions {
  /**
   * Accepted static tokens: a list (each is `clientId: 'static'`, no scopes) or a map from token to what it stands for.
   * Compared through SHA-256 digests, so lookups do not leak the token through timing.
   */
  readonly tokens?: readonly string[] | Readonly<Record<string, StaticTokenInfo>>;
  /** Verifies tokens the static list does not know: a function, or an SDK `OAuthTokenVerifier`. */
  readonly verify?: VerifyToken | OAuthTokenVerifier;
  /** Scopes every token must have; a token lacking one gets 403 `insufficient_scope`. @defaultValue `[]` */
  readonly requiredScopes?: readonly string[];
  /** The `realm` of the `WWW-Authenticate` challenge. @defaultValue `'mcp'` */
  readonly realm?: string;
  /** OAuth protected-resource metadata URL (RFC 9728), sent as `resource_metadata` in the challenge. @defaultValue not sent */
  readonly resourceMetadataUrl?: string;
  /** @defaultValue HttpPriority.Auth (400) */
  readonly priority?: number;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/**
 * Requires a bearer token. Missing or invalid: 401 with a `WWW-Authenticate: Bearer` challenge and a JSON-RPC error
 * (-31007, `data.reason` `UNAUTHENTICATED`). Valid but missing a required scope: 403 (-31005, `INSUFFICIENT_SCOPE`).
 * An expired token (`expiresAt` in the past) is invalid. A verifier that throws anything but the SDK's
 * `InvalidTokenError`/`InsufficientScopeError` gives a 500: an identity provider that is down is not a bad token.
 *
 * @example createHttpChain([bearerAuth({ tokens: { [process.env.MCP_TOKEN!]: { clientId: 'ci', scopes: ['tools:call'] } } })]);
 */
export function bearerAuth(options: BearerAuthOptions = {}): HttpInterceptor {
  optionsObject('bearerAuth', options);
  const statics = staticTokens(options.tokens);
  const verify = verifier(options.verify);
  if (statics.size === 0 && verify === undefined) throw new TypeError('bearerAuth: give tokens, verify, or both');
  const requiredScopes = stringList('bearerAuth.requiredScopes', options.requiredScopes, []);
  const realm = string('bearerAuth.realm', options.realm, 'mcp');
  if (options.resourceMetadataUrl !== undefined && (typeof options.resourceMetadataUrl !== 'string' || !URL.canParse(options.resourceMetadataUrl))) {
    throw new TypeError(`bearerAuth.resourceMetadataUrl must be an absolute URL, got ${show(options.resourceMetadataUrl)}`);
  }
  const baseChallenge = `Bearer realm="${quote(realm)}"` + (options.resourceMetadataUrl === undefined ? '' : `, resource_metadata="${quote(options.resourceMetadataUrl)}"`);

  const unauthenticated = (description: string | undefined): HttpError =>
    new HttpError(401, ErrorCode.Unauthenticated, description ?? 'Missing bearer token', { reason: 'UNAUTHENTICATED' }, {
      'www-authenticate': description === undefined ? baseChallenge : `${baseChallenge}, error="invalid_token", error_description="${quote(description)}"`,
    });

  const insufficient = (missing: readonly string[]): HttpError =>
    new HttpError(403, ErrorCode.AccessDenied, 'Insufficient scope', { reason: 'INSUFFICIENT_SCOPE', requiredScopes: [...requiredScopes], missingScopes: [...missing] }, {
      'www-authenticate': `${baseChallenge}, error="insufficient_scope", scope="${quote(requiredScopes.join(' '))}"`,
    });

  return {
    name: 'bearer-auth',
    priority: priority('bearerAuth.priority', options.priority, HttpPriority.Auth),
    async onRequest(ctx) {
      const header = ctx.header('authorization');
      if (header === undefined) throw unauthenticated(undefined);
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>"');
      let info = statics.get(digest(token))?.(token);
      if (info === undefined && verify !== undefined) {
        try {
          info = await verify(token, ctx);
        } catch (error) {
          const code = (error as { errorCode?: unknown } | null)?.errorCode;
          if (code === 'invalid_token') throw unauthenticated('Invalid token');
          if (code === 'insufficient_scope') throw insufficient(requiredScopes);
          throw error;
        }
      }
      if (info === undefined) throw unauthenticated('Invalid token');
      if (typeof info.expiresAt === 'number' && info.expiresAt * 1000 <= ctx.clock.now()) throw unauthenticated('Token has expired');
      const missing = requiredScopes.filter((scope) => !info.scopes.includes(scope));
      if (missing.length > 0) throw insufficient(missing);
      ctx.auth = info;
    },
  };
}

function staticTokens(tokens: BearerAuthOptions['tokens']): Map<string, (token: string) => AuthInfo> {
  const map = new Map<string, (token: string) => AuthInfo>();
  if (tokens === undefined) return map;
  if (!Array.isArray(tokens) && !isPlainObject(tokens)) throw new TypeError(`bearerAuth.tokens must be an array of tokens or a map from token to auth info, got ${show(tokens)}`);
  const entries: Array<[string, StaticTokenInfo]> = Array.isArray(tokens) ? tokens.map((token) => [token, {}]) : Object.entries(tokens as Record<string, StaticTokenInfo>);
  entries.forEach(([token, info]) => {
    if (typeof token !== 'string' || !BEARER.test(`Bearer ${token}`)) throw new TypeError('bearerAuth.tokens: every token must be a non-empty token68 string (letters, digits, -._~+/ and trailing =)');
    if (!isPlainObject(info)) throw new TypeError(`bearerAuth.tokens: the info of each token must be an object, got ${show(info)}`);
    const scopes = info.scopes ?? [];
    map.set(digest(token), (given) => ({ ...info, token: given, clientId: info.clientId ?? 'static', scopes: [...scopes] }));
  });
  return map;
}

function verifier(value: BearerAuthOptions['verify']): VerifyToken | undefined {
  if (value !== undefined && typeof value === 'object' && value !== null && typeof (value as OAuthTokenVerifier).verifyAccessToken === 'function') {
    const sdk = value as OAuthTokenVerifier;
    return (token) => sdk.verifyAccessToken(token);
  }
  return fn<VerifyToken>('bearerAuth.verify', value);
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/** A quoted-string value: no quotes, backslashes or control characters. */
function quote(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char !== '"' && char !== '\\' && code >= 0x20 && code !== 0x7f) out += char;
  }
  return out;
}
