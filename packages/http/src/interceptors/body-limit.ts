// body-limit: caps request bodies; an oversized one is refused before it is buffered whole.
import { ErrorCode } from '@mcp-interceptors/core';
import { HttpError } from '../http-error.js';
import { HttpPriority, type HttpInterceptor } from '../http-interceptor.js';
import { optionsObject, positiveInt, priority } from '../internal/options.js';

export interface BodyLimitOptions {
  /** The largest accepted request body, in bytes. @defaultValue 1_048_576 (1 MiB) */
  readonly maxBytes?: number;
  /** @defaultValue HttpPriority.BodyLimit (500) */
  readonly priority?: number;
}

/**
 * Limits request bodies to `maxBytes`: a declared `Content-Length` over the limit is refused at once, without reading
 * a byte; a chunked body is read as a stream and refused as soon as it passes the limit. Either way: 413 with a
 * JSON-RPC error (-31006, `data.reason` `PAYLOAD_TOO_LARGE`, `data.limit`) and `Connection: close`, so the rest of the
 * body is never read.
 *
 * @example createHttpChain([bodyLimit({ maxBytes: 256 * 1024 })]);
 */
export function bodyLimit(options: BodyLimitOptions = {}): HttpInterceptor {
  optionsObject('bodyLimit', options);
  const maxBytes = positiveInt('bodyLimit.maxBytes', options.maxBytes, 1_048_576);
  return {
    name: 'body-limit',
    priority: priority('bodyLimit.priority', options.priority, HttpPriority.BodyLimit),
    onRequest(ctx) {
      ctx.limitBody(maxBytes, 'body-limit');
      const declared = Number(ctx.header('content-length'));
      if (declared > maxBytes) {
        throw new HttpError(413, ErrorCode.PayloadTooLarge, `Payload too large: the body exceeds ${maxBytes} bytes`, { reason: 'PAYLOAD_TOO_LARGE', limit: maxBytes, size: declared }, { connection: 'close' });
      }
    },
  };
}
