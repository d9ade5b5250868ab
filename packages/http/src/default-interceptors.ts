// The default server HTTP chain: health, logging, security headers, host validation, (cors), (auth), body limit.
import type { HttpInterceptor } from './http-interceptor.js';
import { bearerAuth, type BearerAuthOptions } from './interceptors/bearer-auth.js';
import { bodyLimit, type BodyLimitOptions } from './interceptors/body-limit.js';
import { cors, type CorsOptions } from './interceptors/cors.js';
import { health, type HealthOptions } from './interceptors/health.js';
import { hostValidation, type HostValidationOptions } from './interceptors/host-validation.js';
import { requestLogger, type RequestLoggerOptions } from './interceptors/request-logger.js';
import { securityHeaders, type SecurityHeadersOptions } from './interceptors/security-headers.js';
import { optionsObject } from './internal/options.js';

export interface DefaultServerInterceptorsOptions {
  /** `/healthz` and `/readyz`. @defaultValue on */
  readonly health?: HealthOptions | false;
  /** Redacted request logs on stderr. @defaultValue on */
  readonly logger?: RequestLoggerOptions | false;
  /** @defaultValue on */
  readonly securityHeaders?: SecurityHeadersOptions | false;
  /** DNS-rebinding protection; the defaults accept loopback only, so list your public host names. @defaultValue on */
  readonly hostValidation?: HostValidationOptions | false;
  /** For browser clients. @defaultValue off */
  readonly cors?: CorsOptions | false;
  /** Bearer-token auth. @defaultValue off */
  readonly auth?: BearerAuthOptions | false;
  /** @defaultValue on, 1 MiB */
  readonly bodyLimit?: BodyLimitOptions | false;
}

/**
 * The recommended server-side HTTP interceptors, each overridable or switchable off, in their default order:
 * health (50), request-logger (100), security-headers (150), host-validation (200), cors (300), bearer-auth (400),
 * body-limit (500).
 *
 * @example createMcpHttpHandler({ server, http: defaultServerInterceptors({ auth: { tokens: [token] }, cors: { origins: ['https://app.example.com'] } }) });
 */
export function defaultServerInterceptors(options: DefaultServerInterceptorsOptions = {}): HttpInterceptor[] {
  optionsObject('defaultServerInterceptors', options);
  const list: HttpInterceptor[] = [];
  if (options.health !== false) list.push(health(options.health));
  if (options.logger !== false) list.push(requestLogger(options.logger));
  if (options.securityHeaders !== false) list.push(securityHeaders(options.securityHeaders));
  if (options.hostValidation !== false) list.push(hostValidation(options.hostValidation));
  if (options.cors !== undefined && options.cors !== false) list.push(cors(options.cors));
  if (options.auth !== undefined && options.auth !== false) list.push(bearerAuth(options.auth));
  if (options.bodyLimit !== false) list.push(bodyLimit(options.bodyLimit));
  return list;
}
