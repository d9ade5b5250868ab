import { describe, expect, it } from 'vitest';

describe('public surface', () => {
  it('exports exactly these names', async () => {
    const names = Object.keys(await import('./index.js')).sort();
    expect(names).toEqual([
      'HttpError',
      'HttpHeaders',
      'HttpPriority',
      'LOOPBACK_ORIGINS',
      'bearerAuth',
      'bodyLimit',
      'cors',
      'createClientFetch',
      'createHttpChain',
      'createMcpHttpHandler',
      'createRedactor',
      'defaultRedactor',
      'defaultServerInterceptors',
      'expressMiddleware',
      'fetchHandler',
      'health',
      'honoMiddleware',
      'hostValidation',
      'isHttpError',
      'isValidTraceparent',
      'jsonLinesSink',
      'jsonRpcErrorBody',
      'newTraceparent',
      'nodeHandler',
      'requestLogger',
      'retryAfterMs',
      'securityHeaders',
      'withHeaders',
      'withRedactedLogging',
      'withRetry',
      'withTraceparent',
    ]);
  });
});
