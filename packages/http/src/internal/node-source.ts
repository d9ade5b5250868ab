// A node:http (and Express) request as a RequestSource: headers read in place, the body streamed with a byte cap.
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { HeaderValues } from '@mcp-interceptors/core';
import { lazyRequest } from './lazy-request.js';
import { absoluteUrl, concat, TOO_LARGE, type RequestSource } from './request-source.js';

/** What Express (or another node framework) may have added to the request. */
export interface NodeRequestExtras {
  /** Express: the URL before mount-path stripping. */
  originalUrl?: string;
  /** A body parsed before us (`express.json()`). */
  body?: unknown;
  /** Set by body-parser when it consumed the stream. */
  _body?: boolean;
  /** The SDK convention: auth info for `handleRequest`. */
  auth?: AuthInfo;
}

export type NodeRequest = IncomingMessage & NodeRequestExtras;

export class NodeRequestSource implements RequestSource {
  readonly method: string;
  readonly target: string;
  readonly preParsed: { readonly value: unknown } | undefined;
  private parsedUrl: URL | undefined;

  constructor(private readonly req: NodeRequest) {
    this.method = req.method ?? 'GET';
    this.target = req.originalUrl ?? req.url ?? '/';
    const consumed = req._body === true || req.readableEnded;
    this.preParsed = consumed && req.body !== undefined ? { value: req.body } : undefined;
  }

  get initialAuth(): AuthInfo | undefined {
    return this.req.auth;
  }

  get remoteAddress(): string | undefined {
    return this.req.socket?.remoteAddress;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  headers(): HeaderValues {
    return this.req.headers;
  }

  url(): URL {
    return (this.parsedUrl ??= absoluteUrl(this.target, (this.req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http', this.req.headers.host));
  }

  readBody(maxBytes: number): Promise<Uint8Array | typeof TOO_LARGE> {
    const req = this.req;
    if (req.readableEnded || req.destroyed) return Promise.resolve(new Uint8Array(0));
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const stop = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const onData = (chunk: Uint8Array): void => {
        size += chunk.byteLength;
        if (size > maxBytes) {
          // Stop here: the rest is never buffered (the response closes the connection).
          stop();
          req.pause();
          resolve(TOO_LARGE);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = (): void => {
        stop();
        resolve(concat(chunks, size));
      };
      const onError = (error: Error): void => {
        stop();
        reject(error);
      };
      const onClose = (): void => {
        stop();
        reject(new Error('request closed before its body was read'));
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }

  toRequest(): Request {
    return lazyRequest(this.method, this.url().href, () => {
      const headers = new Headers();
      const raw = this.req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i] as string;
        // HTTP/2 pseudo-headers (`:path`) are not headers.
        if (name.charCodeAt(0) !== 58) headers.append(name, raw[i + 1] as string);
      }
      return headers;
    });
  }

  setAuth(auth: AuthInfo | undefined): void {
    this.req.auth = auth;
  }
}
